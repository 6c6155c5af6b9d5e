package io.stagewise.data.importer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.stagewise.data.DatasetKind;
import io.stagewise.data.RejectedRows;
import io.stagewise.poison.Columns;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The layout importers parse into: one row per input row, either accepted (the normalised columns filled,
 * the {@code _reject_*} columns null) or rejected (only the {@code _reject_*} columns filled). Parsing once
 * into one frame lets {@link ImportResult} split it into rows and rejected rows without reading twice, and
 * makes "every input row is accounted for" a property of the layout.
 */
final class ParsedRows {
  private ParsedRows() {}

  static final String REJECT_SOURCE = "_reject_source";
  static final String REJECT_FILE = "_reject_file";
  static final String REJECT_LINE = "_reject_line";
  static final String REJECT_REASON = "_reject_reason";
  static final String REJECT_RAW = "_reject_raw";
  /** The input file every parsed row (accepted or rejected) came from, for the per-file tally. */
  static final String INPUT_FILE = "_input_file";
  private static final int TAIL = 6;

  private static final int PROVENANCE_WIDTH = Columns.PROVENANCE.size();

  /** The normalised schema of {@code kind}, every field nullable, followed by the reject columns. */
  static StructType schema(DatasetKind kind) {
    List<StructField> fields = new ArrayList<>();
    for (StructField f : kind.textSchema().fields()) {
      fields.add(DataTypes.createStructField(f.name(), f.dataType(), true));
    }
    fields.add(DataTypes.createStructField(REJECT_SOURCE, DataTypes.StringType, true));
    fields.add(DataTypes.createStructField(REJECT_FILE, DataTypes.StringType, true));
    fields.add(DataTypes.createStructField(REJECT_LINE, DataTypes.LongType, true));
    fields.add(DataTypes.createStructField(REJECT_REASON, DataTypes.StringType, true));
    fields.add(DataTypes.createStructField(REJECT_RAW, DataTypes.StringType, true));
    fields.add(DataTypes.createStructField(INPUT_FILE, DataTypes.StringType, true));
    return DataTypes.createStructType(fields);
  }

  /** An accepted, clean row: provenance from {@code source}, then the kind's own columns in schema order. */
  static Row accepted(SourceSpec source, String file, String id, Object... payload) {
    Object[] values = new Object[PROVENANCE_WIDTH + payload.length + TAIL];
    values[0] = id;
    values[1] = source.name();
    values[2] = source.split();
    values[3] = source.category();
    values[4] = false;
    System.arraycopy(payload, 0, values, PROVENANCE_WIDTH, payload.length);
    values[values.length - 1] = file;
    return RowFactory.create(values);
  }

  static Row rejected(DatasetKind kind, SourceSpec source, String file, long line, String reason, String raw) {
    int width = kind.textSchema().size();
    Object[] values = new Object[width + TAIL];
    values[width] = source.name();
    values[width + 1] = file;
    values[width + 2] = line;
    values[width + 3] = reason;
    values[width + 4] = raw;
    values[width + 5] = file;
    return RowFactory.create(values);
  }

  /** The stable id of the row at {@code position} (line, element or record) of file {@code fileName}. */
  static String id(SourceSpec source, String fileName, long position) {
    return source.name() + ":" + fileName + ":" + position;
  }

  /**
   * Accepted rows of {@code frame} in the parsed layout: the given columns for the kind's normalised fields
   * (by name; absent provenance columns default to the source's), reject columns null.
   */
  static Dataset<Row> acceptedFrame(Dataset<Row> frame, DatasetKind kind, SourceSpec source,
      java.util.Map<String, Column> values, Column file) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : kind.textSchema().fields()) {
      Column value = values.getOrDefault(f.name(), provenanceDefault(f.name(), source));
      columns.add(value.cast(f.dataType()).as(f.name()));
    }
    columns.add(lit(null).cast(DataTypes.StringType).as(REJECT_SOURCE));
    columns.add(lit(null).cast(DataTypes.StringType).as(REJECT_FILE));
    columns.add(lit(null).cast(DataTypes.LongType).as(REJECT_LINE));
    columns.add(lit(null).cast(DataTypes.StringType).as(REJECT_REASON));
    columns.add(lit(null).cast(DataTypes.StringType).as(REJECT_RAW));
    columns.add(file.cast(DataTypes.StringType).as(INPUT_FILE));
    return frame.select(columns.toArray(Column[]::new));
  }

  /** Rejected rows of {@code frame} in the parsed layout. */
  static Dataset<Row> rejectedFrame(Dataset<Row> frame, DatasetKind kind, SourceSpec source,
      Column file, Column line, Column reason, Column raw) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : kind.textSchema().fields()) {
      columns.add(lit(null).cast(f.dataType()).as(f.name()));
    }
    columns.add(lit(source.name()).as(REJECT_SOURCE));
    columns.add(file.cast(DataTypes.StringType).as(REJECT_FILE));
    columns.add(line.cast(DataTypes.LongType).as(REJECT_LINE));
    columns.add(reason.cast(DataTypes.StringType).as(REJECT_REASON));
    columns.add(raw.cast(DataTypes.StringType).as(REJECT_RAW));
    columns.add(file.cast(DataTypes.StringType).as(INPUT_FILE));
    return frame.select(columns.toArray(Column[]::new));
  }

  /** One row per input record of a parsed frame that has one parsed row per record: (file, unit, imported). */
  static Dataset<Row> recordsView(Dataset<Row> parsed, String unit) {
    return parsed.select(col(INPUT_FILE).as(ImportResult.FILE), lit(unit).as(ImportResult.UNIT),
        col(REJECT_REASON).isNull().as(ImportResult.IMPORTED));
  }

  /** The rejected-rows view of a parsed frame, in {@link RejectedRows#SCHEMA}. */
  static Dataset<Row> rejectedView(Dataset<Row> parsed) {
    return parsed.where(col(REJECT_REASON).isNotNull()).select(
        col(REJECT_SOURCE).as(RejectedRows.SOURCE),
        col(REJECT_FILE).as(RejectedRows.FILE),
        col(REJECT_LINE).as(RejectedRows.LINE),
        col(REJECT_REASON).as(RejectedRows.REASON),
        col(REJECT_RAW).as(RejectedRows.RAW));
  }

  private static Column provenanceDefault(String column, SourceSpec source) {
    return switch (column) {
      case Columns.SOURCE -> lit(source.name());
      case Columns.SPLIT -> lit(source.split());
      case Columns.CATEGORY -> lit(source.category());
      case Columns.IS_POISONED -> lit(false);
      default -> lit(null);
    };
  }
}
