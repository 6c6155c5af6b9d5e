package io.stagewise.data.manifest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.stagewise.data.RejectedRows;
import io.stagewise.poison.Columns;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The counts a manifest records, computed with small Spark aggregations over the written data (the
 * grouped results are tiny: one row per split × category, per attacker, per rejected file).
 *
 * @param fingerprint the content fingerprint, which also carries the total row count
 * @param rowsBySplit split → category → rows
 * @param poisonedByAttacker attacker → poisoned rows
 */
public record DatasetStatistics(
    ContentFingerprint fingerprint,
    Map<String, Map<String, Long>> rowsBySplit,
    Map<String, Long> poisonedByAttacker) {

  /** Stands for a null split, category or attacker in the count maps (JSON keys cannot be null). */
  public static final String NONE = "(none)";

  public static DatasetStatistics of(Dataset<Row> rows) {
    List<String> columns = Arrays.asList(rows.columns());
    Map<String, Map<String, Long>> bySplit = new TreeMap<>();
    if (columns.contains(Columns.SPLIT) && columns.contains(Columns.CATEGORY)) {
      for (Row r : rows.groupBy(named(Columns.SPLIT), named(Columns.CATEGORY)).count().collectAsList()) {
        bySplit.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getString(1), r.getLong(2));
      }
    }
    Map<String, Long> byAttacker = new TreeMap<>();
    if (columns.contains(Columns.IS_POISONED) && columns.contains(Columns.ATTACKER)) {
      Dataset<Row> poisoned = rows.where(col(Columns.IS_POISONED));
      for (Row r : poisoned.groupBy(named(Columns.ATTACKER)).count().collectAsList()) {
        byAttacker.put(r.getString(0), r.getLong(1));
      }
    }
    return new DatasetStatistics(ContentFingerprint.of(rows), bySplit, byAttacker);
  }

  /** Rejected rows by source file. */
  public static Map<String, Long> rejectedByFile(Dataset<Row> rejected) {
    Map<String, Long> byFile = new TreeMap<>();
    for (Row r : rejected.groupBy(named(RejectedRows.FILE)).count().collectAsList()) {
      byFile.put(r.getString(0), r.getLong(1));
    }
    return byFile;
  }

  private static org.apache.spark.sql.Column named(String column) {
    return coalesce(col(column), lit(NONE)).as(column);
  }
}
