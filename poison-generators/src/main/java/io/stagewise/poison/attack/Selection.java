package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.stagewise.poison.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The first k candidates of an attacker's hash order (see {@link PoisonSelector}), held as the attacker's
 * candidate condition and the k-th key: a row is selected iff it is a candidate and its (hash, id) is at most
 * that key. Deciding a row needs only the row itself, so the wide rows stream through one projection, never a
 * shuffle.
 */
public final class Selection {
  /**
   * Rank tables up to this many rows are broadcast, so the wide rows are joined where they are. About 50 bytes
   * a row as a hash relation: 100 MB at most. Larger ones fall back to a shuffled join.
   */
  private static final long BROADCAST_ROWS = 2_000_000;
  private static final String HASH = "__stagewise_rank_hash";
  private static final String BUCKET = "__stagewise_rank_bucket";

  private final long seed;
  private final String attacker;
  /** The selector's candidate condition, the same one its counts and ranking used. */
  private final Column candidate;
  private final long k;
  private final long lastHash;
  private final String lastId;
  /** Candidates in all lower buckets, for every bucket up to the boundary, indexed by bucket − MIN_BUCKET. */
  private final long[] offsets;

  Selection(long seed, String attacker, Column candidate, long k, long lastHash, String lastId, long[] offsets) {
    this.seed = seed;
    this.attacker = attacker;
    this.candidate = candidate;
    this.k = k;
    this.lastHash = lastHash;
    this.lastId = lastId;
    this.offsets = offsets.clone();
  }

  static Selection none(long seed, String attacker) {
    return new Selection(seed, attacker, lit(false), 0, 0, null, new long[0]);
  }

  /** The number of rows selected. */
  public long size() {
    return k;
  }

  /**
   * True on exactly the selected rows: the candidates whose key is at most the k-th key. An in-row expression
   * over {@code id} and the columns of the candidate condition, so it holds on any frame that has them (the
   * narrow frame the selection was computed on, or the wide rows), provided they agree on those columns.
   */
  public Column selected() {
    if (k == 0) {
      return lit(false);
    }
    Column hash = PoisonSelector.hash(seed, attacker);
    Column coversKey = hash.lt(lit(lastHash)).or(hash.equalTo(lit(lastHash)).and(col(Columns.ID).leq(lit(lastId))));
    return candidate.and(coversKey);
  }

  /**
   * The ranks of the selected rows: a narrow table of k rows, {@code id} and {@code rank} (1-based, in the
   * attacker's hash order), hinted for broadcast when small so that joining it back leaves the wide rows where
   * they are.
   *
   * <p>Only the k selected rows are ranked: {@code row_number} within each bucket plus the candidates of all
   * lower buckets (a literal array of at most 2^{@value PoisonSelector#BUCKET_BITS} running counts, known
   * from the per-bucket counts). No step gathers rows into one partition.
   *
   * @param rows rows with {@code id}, evaluated once more for this table, so their plan must be deterministic
   * @param selected true exactly on the selected rows
   */
  public Dataset<Row> ranks(Dataset<Row> rows, Column selected, String id, String rank) {
    Column offset = element_at(lit(offsets), col(BUCKET).minus(lit(PoisonSelector.MIN_BUCKET - 1)));
    Dataset<Row> ranks = rows.filter(selected)
        .select(col(Columns.ID).as(id), PoisonSelector.hash(seed, attacker).as(HASH))
        .withColumn(BUCKET, PoisonSelector.bucket(col(HASH)))
        .select(col(id), row_number().over(Window.partitionBy(col(BUCKET)).orderBy(col(HASH), col(id)))
            .plus(offset).as(rank));
    return k <= BROADCAST_ROWS ? broadcast(ranks) : ranks;
  }
}
