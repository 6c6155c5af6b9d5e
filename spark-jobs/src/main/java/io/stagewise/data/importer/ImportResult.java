package io.stagewise.data.importer;

import static org.apache.spark.sql.functions.col;

import io.stagewise.data.DatasetKind;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * What an importer read: every input row, either normalised or rejected. {@link #rows()} and
 * {@link #rejected()} are two views of the same parse; {@link #persist()} it when both are consumed.
 *
 * @param kind the normalised schema of the accepted rows
 * @param parsed the rows in the importers' internal layout
 * @param records one row per input record ({@link #FILE}, {@link #UNIT}, {@link #IMPORTED}), for the
 *     per-file tally
 */
public record ImportResult(DatasetKind kind, Dataset<Row> parsed, Dataset<Row> records) {
  public static final String FILE = "file";
  public static final String UNIT = "unit";
  public static final String IMPORTED = "imported";
  static final String LINES = "lines";
  static final String ELEMENTS = "elements";
  static final String RECORDS = "records";
  static final String ROWS = "rows";

  /** The result of an importer that parses each input record into exactly one row. */
  static ImportResult oneRowPerRecord(DatasetKind kind, Dataset<Row> parsed, String unit) {
    return new ImportResult(kind, parsed, ParsedRows.recordsView(parsed, unit));
  }

  /** Accepted rows in the normalised schema of {@link #kind()}, columns in {@code Columns} order. */
  public Dataset<Row> rows() {
    Column[] columns = Arrays.stream(kind.textSchema().fieldNames()).map(n -> col(n)).toArray(Column[]::new);
    return parsed.where(col(ParsedRows.REJECT_REASON).isNull()).select(columns);
  }

  /** Rejected rows in {@code RejectedRows.SCHEMA}: source, file, line, reason, raw. */
  public Dataset<Row> rejected() {
    return ParsedRows.rejectedView(parsed);
  }

  public ImportResult union(ImportResult other) {
    if (other.kind != kind) {
      throw new IllegalArgumentException("cannot combine " + kind.wireName() + " and " + other.kind.wireName());
    }
    return new ImportResult(kind, parsed.unionByName(other.parsed), records.unionByName(other.records));
  }

  /** Keeps the parse in memory (spilling to disk) so that rows and rejected rows share one read. */
  public ImportResult persist() {
    Dataset<Row> kept = parsed.persist(StorageLevel.MEMORY_AND_DISK());
    return new ImportResult(kind, kept, records);
  }

  public void unpersist() {
    parsed.unpersist();
  }
}
