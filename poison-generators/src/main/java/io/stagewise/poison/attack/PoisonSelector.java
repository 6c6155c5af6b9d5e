package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.shiftright;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.stagewise.poison.Columns;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * An attacker's hash order over its candidate rows: candidates are ordered by {@code xxhash64(seed, attacker,
 * id)}, ties broken by {@code id}, and the attacker poisons the first k, i.e. the k smallest keys (DESIGN.md §
 * Attacks).
 *
 * <p>Finding them needs no global sort and no wide shuffle. Rows are bucketed by the top {@value #BUCKET_BITS}
 * bits of the hash (an arithmetic shift, so bucket order is hash order and buckets are uniform). One
 * aggregation counts the candidates per bucket ({@link #count}); the driver finds the boundary bucket where the
 * running count reaches k; a {@code row_number} over that one bucket gives the k-th key ({@link #firstK}). The
 * {@link Selection} then decides each row by comparing its own key with that one: an in-row expression. The
 * driver only ever sees per-bucket counts and one key, whatever the partitioning or row order.
 *
 * <p>The attacker's candidates are defined once, here ({@link #count}: its eligible rows that are still free),
 * and every step that orders, ranks or selects them reads that one condition: the counts, the boundary
 * bucket's ranking and the {@link Selection}'s in-row test. Ranking the boundary bucket over any wider set
 * (say, free rows that other attackers may take but this one may not) would put the k-th key too low and
 * select fewer than k rows.
 *
 * <p>Both jobs run over the frame given to {@link #count}, which {@link PoisonPlan} keeps narrow and cached.
 */
public final class PoisonSelector {
  static final int BUCKET_BITS = 12;
  /** The lowest bucket: the hash's top bits read as a signed number. */
  static final int MIN_BUCKET = -(1 << (BUCKET_BITS - 1));
  private static final String HASH = "__stagewise_hash";
  private static final String BUCKET = "__stagewise_bucket";
  private static final String ROW = "__stagewise_row";

  private final long seed;
  private final String attacker;
  private final Dataset<Row> keys;
  /** The attacker's eligible rows that are still free: the only rows it orders, ranks and selects. */
  private final Column candidate;
  private final long eligible;
  /** Candidates per bucket, indexed by bucket − {@link #MIN_BUCKET}. */
  private final long[] perBucket;

  private PoisonSelector(long seed, String attacker, Dataset<Row> keys, Column candidate, long eligible,
      long[] perBucket) {
    this.seed = seed;
    this.attacker = attacker;
    this.keys = keys;
    this.candidate = candidate;
    this.eligible = eligible;
    this.perBucket = perBucket;
  }

  /**
   * Counts the eligible rows and the candidates per bucket of {@code keys} (one aggregation job).
   *
   * @param keys rows with at least the {@code id} column; ids must be unique among the candidates
   * @param eligible the rows the attacker may poison (its budget fraction is of these)
   * @param free the rows not taken yet (by an earlier attacker or in the input); the candidates are the
   *     eligible rows that are free, and only these are ordered
   */
  public static PoisonSelector count(Dataset<Row> keys, Column eligible, Column free, long seed,
      String attacker) {
    List<Row> counts = keys.filter(eligible)
        .groupBy(bucket(hash(seed, attacker)).as(BUCKET))
        .agg(sum(lit(1L)), sum(when(free, 1L).otherwise(0L)))
        .collectAsList();
    long eligibleCount = 0;
    long[] perBucket = new long[1 << BUCKET_BITS];
    for (Row row : counts) {
      eligibleCount += row.getLong(1);
      perBucket[row.getInt(0) - MIN_BUCKET] = row.getLong(2);
    }
    return new PoisonSelector(seed, attacker, keys, eligible.and(free), eligibleCount, perBucket);
  }

  /** The number of eligible rows. */
  public long eligible() {
    return eligible;
  }

  /** The number of candidate rows: the most {@link #firstK} can select. */
  public long candidates() {
    long total = 0;
    for (long n : perBucket) {
      total += n;
    }
    return total;
  }

  /**
   * The first {@code k} candidates (one small job over the boundary bucket when {@code k > 0}).
   *
   * @throws IllegalArgumentException if {@code k} is negative or exceeds {@link #candidates()}
   */
  public Selection firstK(long k) {
    if (k < 0 || k > candidates()) {
      throw new IllegalArgumentException("k: " + k + " is outside 0.." + candidates() + " candidates");
    }
    if (k == 0) {
      return Selection.none(seed, attacker);
    }
    int boundary = 0;
    long before = 0;
    while (before + perBucket[boundary] < k) {
      before += perBucket[boundary++];
    }
    long[] offsets = new long[boundary + 1];
    for (int b = 1; b <= boundary; b++) {
      offsets[b] = offsets[b - 1] + perBucket[b - 1];
    }
    Row last = kthInBucket(boundary + MIN_BUCKET, k - before);
    return new Selection(seed, attacker, candidate, k, last.getLong(0), last.getString(1), offsets);
  }

  /** The (hash, id) of the candidate ranked {@code rank} within {@code bucket}, among candidates only. */
  private Row kthInBucket(int bucket, long rank) {
    // Partitioned by the bucket column (one value here) rather than unpartitioned: same single group,
    // without Spark's single-partition window warning.
    List<Row> found = keys.filter(candidate)
        .select(hash(seed, attacker).as(HASH), col(Columns.ID))
        .withColumn(BUCKET, bucket(col(HASH)))
        .filter(col(BUCKET).equalTo(lit(bucket)))
        .withColumn(ROW, row_number().over(Window.partitionBy(col(BUCKET)).orderBy(col(HASH), col(Columns.ID))))
        .filter(col(ROW).equalTo(lit(rank)))
        .select(col(HASH), col(Columns.ID))
        .collectAsList();
    if (found.size() != 1) {
      throw new IllegalStateException("attacker '" + attacker + "': bucket " + bucket + " counted a candidate "
          + "of rank " + rank + " but " + found.size() + " were found; the input plan must be deterministic "
          + "and ids unique among the candidates");
    }
    return found.get(0);
  }

  /** The attacker's sort key: {@code xxhash64(seed, attacker, id)}. */
  static Column hash(long seed, String attacker) {
    return xxhash64(lit(seed), lit(attacker), col(Columns.ID));
  }

  /** The top {@value #BUCKET_BITS} bits of a hash, signed: monotone in the hash. */
  static Column bucket(Column hash) {
    return shiftright(hash, Long.SIZE - BUCKET_BITS).cast(DataTypes.IntegerType);
  }
}
