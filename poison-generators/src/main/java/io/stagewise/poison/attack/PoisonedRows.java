package io.stagewise.poison.attack;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The output of {@link PoisonPlan#apply}: the rows, lazily poisoned, with the input's schema, and one summary
 * per attacker in plan order.
 *
 * <p>When an attacker needs exact ranks, the rows' rank tables read the plan's cached narrow frame rather
 * than the input, so that writing the rows reads the input once; {@link #close} drops that cache after the
 * last action on the rows. Rows read after it are still right: a plan made after close reads the input again.
 */
public final class PoisonedRows implements AutoCloseable {
  private final Dataset<Row> rows;
  private final List<AttackPlanSummary> summaries;
  /** The narrow frame the rank tables read, or null when none does. */
  private final Dataset<Row> cached;

  PoisonedRows(Dataset<Row> rows, List<AttackPlanSummary> summaries, Dataset<Row> cached) {
    this.rows = rows;
    this.summaries = List.copyOf(summaries);
    this.cached = cached;
  }

  public Dataset<Row> rows() {
    return rows;
  }

  public List<AttackPlanSummary> summaries() {
    return summaries;
  }

  /** Drops the cached narrow frame, if the rows hold one; idempotent. */
  @Override
  public void close() {
    if (cached != null) {
      cached.unpersist(false);
    }
  }
}
