package io.stagewise.poison.attack;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The output of {@link PoisonPlan#apply}: the rows, lazily poisoned, with the input's schema, and one summary
 * per attacker in plan order.
 */
public record PoisonedRows(Dataset<Row> rows, List<AttackPlanSummary> summaries) {
  public PoisonedRows {
    summaries = List.copyOf(summaries);
  }
}
