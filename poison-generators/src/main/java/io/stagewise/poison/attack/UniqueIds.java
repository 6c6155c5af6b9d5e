package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import io.stagewise.poison.Columns;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The check that every row of a stage's input has its own {@code id}. Selection orders rows by (hash, id) and
 * cuts that order at one key, so two rows with one id would tie everywhere: both fall on the same side of every
 * cut, and an attacker could end up with more rows than its budget, or a rank could name two rows.
 *
 * <p>One aggregation over the ids, never a collect of rows: the ids are grouped where they are and only the
 * first {@value #SHOWN} repeated ones, in id order, reach the driver.
 */
final class UniqueIds {
  /** How many repeated ids an error names. */
  static final int SHOWN = 5;
  private static final String ROWS = "__stagewise_rows";

  private UniqueIds() {}

  /**
   * Fails when an id occurs on more than one row of {@code rows}.
   *
   * @throws IllegalArgumentException naming the first {@value #SHOWN} repeated ids, in id order, and how many
   *     rows each is on
   */
  static void require(Dataset<Row> rows) {
    Dataset<Row> repeated = rows.groupBy(col(Columns.ID)).agg(count(lit(1)).as(ROWS))
        .filter(col(ROWS).gt(lit(1L)));
    List<Row> first = repeated.orderBy(col(Columns.ID)).limit(SHOWN).collectAsList();
    if (first.isEmpty()) {
      return;
    }
    // Only on the error path: how many ids repeat in all.
    long ids = first.size() < SHOWN ? first.size() : repeated.count();
    throw new IllegalArgumentException("rows: " + ids + " id(s) occur on more than one row, but every row needs"
        + " its own id (selection orders rows by id); " + (ids > SHOWN ? "the first " + SHOWN + ": " : "")
        + first.stream().map(r -> "'" + r.getString(0) + "' (" + r.getLong(1) + " rows)")
            .collect(Collectors.joining(", ")));
  }
}
