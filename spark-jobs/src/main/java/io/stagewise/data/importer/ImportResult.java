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
 */
public record ImportResult(DatasetKind kind, Dataset<Row> parsed) {

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
    return new ImportResult(kind, parsed.unionByName(other.parsed));
  }

  /** Keeps the parse in memory (spilling to disk) so that rows and rejected rows share one read. */
  public ImportResult persist() {
    return new ImportResult(kind, parsed.persist(StorageLevel.MEMORY_AND_DISK()));
  }

  public void unpersist() {
    parsed.unpersist();
  }
}
