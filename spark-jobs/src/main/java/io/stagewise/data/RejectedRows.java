package io.stagewise.data;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schema of quarantined input rows, written to {@code _rejected/} inside a published dataset: where a
 * row came from, why it was refused, and its raw text so it can be fixed and re-imported.
 */
public final class RejectedRows {
  private RejectedRows() {}

  /** Name of the sub-directory of a published dataset that holds its rejected rows. */
  public static final String DIRECTORY = "_rejected";

  public static final String SOURCE = "source";
  /** The input file, as the URI it was read from. */
  public static final String FILE = "file";
  /**
   * 1-based line where the row starts in {@link #FILE}; for Parquet inputs the 0-based row index
   * within the file.
   */
  public static final String LINE = "line";
  public static final String REASON = "reason";
  /** The row as read: the JSON line, the JSON element, the CSV record or the row as JSON. */
  public static final String RAW = "raw";

  public static final StructType SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField(SOURCE, DataTypes.StringType, false),
      DataTypes.createStructField(FILE, DataTypes.StringType, false),
      DataTypes.createStructField(LINE, DataTypes.LongType, false),
      DataTypes.createStructField(REASON, DataTypes.StringType, false),
      DataTypes.createStructField(RAW, DataTypes.StringType, true)});
}
