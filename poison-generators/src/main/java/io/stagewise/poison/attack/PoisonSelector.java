package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.shiftright;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.stagewise.poison.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * Ranks an attacker's candidate rows by {@code xxhash64(seed, attacker, id)}, ties broken by {@code id}: the
 * attacker poisons ranks 1..k, i.e. the k candidates with the smallest hash (DESIGN.md § Attacks).
 *
 * <p>The global rank is computed without a single-partition window and without rows reaching the driver:
 * rows are bucketed by the top {@value #BUCKET_BITS} bits of the hash (an arithmetic shift, so bucket order
 * is hash order and buckets are uniform), {@code row_number()} runs per bucket ordered by (hash, id), and the
 * number of candidates in all lower buckets — a running sum over a per-bucket count table of at most
 * 2^{@value #BUCKET_BITS} rows, broadcast back — is added. The rank depends only on the ids, never on partitioning or row order.
 * Every step is a plain Spark SQL expression, join or window (no UDF), so the plan can run on Spark RAPIDS.
 *
 * <p>Ids must be unique among the candidates and the input plan deterministic: it is evaluated twice (the
 * count table, then the ranks).
 */
public final class PoisonSelector {
  /** 1-based rank among the candidate rows; null on rows that are not candidates. */
  public static final String RANK = "__stagewise_rank";

  static final int BUCKET_BITS = 12;
  private static final String HASH = "__stagewise_hash";
  private static final String BUCKET = "__stagewise_bucket";
  private static final String ELIGIBLE = "__stagewise_eligible";
  private static final String CANDIDATE = "__stagewise_candidate";
  private static final String OFFSET = "__stagewise_offset";
  private static final String OFFSET_BUCKET = "__stagewise_offset_bucket";
  private static final String BUCKET_SIZE = "__stagewise_bucket_size";

  private PoisonSelector() {}

  /**
   * The ranked rows and how many rows were eligible and candidates.
   *
   * @param rows the input columns followed by {@link #RANK}
   * @param eligible the number of eligible rows
   * @param candidates the number of candidate (ranked) rows
   */
  public record Ranking(Dataset<Row> rows, long eligible, long candidates) {}

  /**
   * Ranks the candidate rows of {@code rows}.
   *
   * @param eligible the rows the attacker may poison (its budget fraction is of these)
   * @param candidate the eligible rows still free (not taken by an earlier attacker); only these are ranked
   */
  public static Ranking rank(Dataset<Row> rows, Column eligible, Column candidate, long seed, String attacker) {
    Dataset<Row> keyed = rows
        .withColumn(HASH, xxhash64(lit(seed), lit(attacker), col(Columns.ID)))
        .withColumn(BUCKET, shiftright(col(HASH), Long.SIZE - BUCKET_BITS).cast(DataTypes.IntegerType))
        .withColumn(ELIGIBLE, coalesce(eligible, lit(false)))
        .withColumn(CANDIDATE, col(ELIGIBLE).and(coalesce(candidate, lit(false))));

    Row counts = keyed.agg(
            sum(when(col(ELIGIBLE), 1L).otherwise(0L)), sum(when(col(CANDIDATE), 1L).otherwise(0L)))
        .first();
    long eligibleCount = counts.isNullAt(0) ? 0 : counts.getLong(0);
    long candidateCount = counts.isNullAt(1) ? 0 : counts.getLong(1);

    // Candidates in all lower buckets: a running sum over the per-bucket counts. The window has no partition
    // but runs over the small count table (one row per bucket), never over the rows themselves.
    Dataset<Row> offsetTable = keyed.filter(col(CANDIDATE))
        .groupBy(col(BUCKET).as(OFFSET_BUCKET))
        .agg(count(lit(1)).as(BUCKET_SIZE))
        .select(col(OFFSET_BUCKET), sum(col(BUCKET_SIZE))
            .over(Window.orderBy(col(OFFSET_BUCKET)).rowsBetween(Window.unboundedPreceding(), Window.currentRow()))
            .minus(col(BUCKET_SIZE)).as(OFFSET));
    Column rank = row_number().over(Window.partitionBy(col(CANDIDATE), col(BUCKET))
        .orderBy(col(HASH), col(Columns.ID)));
    Dataset<Row> ranked = keyed
        .join(broadcast(offsetTable), col(BUCKET).equalTo(col(OFFSET_BUCKET)), "left")
        .withColumn(RANK, when(col(CANDIDATE), rank.plus(col(OFFSET))))
        .drop(HASH, BUCKET, ELIGIBLE, CANDIDATE, OFFSET, OFFSET_BUCKET);
    return new Ranking(ranked, eligibleCount, candidateCount);
  }
}
