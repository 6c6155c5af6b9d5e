package io.stagewise.data.importer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.stagewise.data.DatasetKind;
import io.stagewise.poison.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Parquet files already in a normalised schema (e.g. exported from another pipeline). Every column of the
 * kind's schema must be present with its type (extra columns are dropped); a missing or mistyped column
 * fails naming the file. Rows with a null required field, or a split or category outside the allowed
 * values, are rejected with their file and 0-based row index. The rows keep their own provenance.
 */
final class ParquetImporter implements Importer {
  private static final String FILE = "_file";
  private static final String ROW = "_row";
  private static final String REASON = "_reason";

  private final SourceSpec source;
  private final DatasetKind kind;

  ParquetImporter(SourceSpec source, DatasetKind kind) {
    this.source = source;
    this.kind = kind;
  }

  @Override
  public ImportResult read(SparkSession spark) {
    List<String> files = InputFiles.resolve(spark.sparkContext().hadoopConfiguration(), source.name(), source.paths());
    StructType schema = kind.textSchema();
    for (String file : files) {
      checkSchema(file, footerSchema(spark, file), schema);
    }
    List<Column> columns = new ArrayList<>();
    for (String name : schema.fieldNames()) {
      columns.add(col(name));
    }
    columns.add(col("_metadata.file_path").as(FILE));
    columns.add(col("_metadata.row_index").as(ROW));
    Dataset<Row> rows = spark.read().parquet(files.toArray(String[]::new)).select(columns.toArray(Column[]::new));
    Column reasons = concat_ws("; ", problems(schema));
    rows = rows.withColumn(REASON, when(reasons.equalTo(""), lit(null)).otherwise(reasons));

    Map<String, Column> values = new LinkedHashMap<>();
    for (String name : schema.fieldNames()) {
      values.put(name, col(name));
    }
    Dataset<Row> accepted = ParsedRows.acceptedFrame(rows.where(col(REASON).isNull()), kind, source, values, col(FILE));
    Column raw = to_json(struct(Arrays.stream(schema.fieldNames()).map(n -> col(n)).toArray(Column[]::new)));
    Dataset<Row> rejected = ParsedRows.rejectedFrame(rows.where(col(REASON).isNotNull()), kind, source,
        col(FILE), col(ROW), col(REASON), raw);
    return ImportResult.oneRowPerRecord(kind, accepted.unionByName(rejected), ImportResult.ROWS);
  }

  /** One nullable reason per check; concat_ws skips the nulls of passing checks. */
  private static Column[] problems(StructType schema) {
    List<Column> problems = new ArrayList<>();
    for (StructField field : schema.fields()) {
      if (!field.nullable()) {
        problems.add(when(col(field.name()).isNull(), lit("null " + field.name())));
      }
    }
    problems.add(when(col(Columns.SPLIT).isin(Columns.SPLIT_TRAIN, Columns.SPLIT_TEST).equalTo(false),
        lit("split must be train or test")));
    problems.add(when(col(Columns.CATEGORY).isin(Columns.BENIGN, Columns.HARMFUL).equalTo(false),
        lit("category must be benign or harmful")));
    return problems.toArray(Column[]::new);
  }

  /** The file's schema; a file that is not Parquet (or lost its footer) fails naming it, in one line. */
  private static StructType footerSchema(SparkSession spark, String file) {
    try {
      return spark.read().parquet(file).schema();
    } catch (Exception e) { // SparkException is checked, thrown undeclared through Scala
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
      throw new IllegalArgumentException(file + ": not a readable Parquet file (" + why + ")", e);
    }
  }

  private static void checkSchema(String file, StructType actual, StructType expected) {
    List<String> names = Arrays.asList(actual.fieldNames());
    for (StructField field : expected.fields()) {
      if (!names.contains(field.name())) {
        throw new IllegalArgumentException(file + ": missing column '" + field.name() + "' required by the "
            + "normalised schema; the file has " + names);
      }
      StructField found = actual.apply(field.name());
      if (!found.dataType().equals(field.dataType())) {
        throw new IllegalArgumentException(file + ": column '" + field.name() + "' is "
            + found.dataType().simpleString() + ", expected " + field.dataType().simpleString());
      }
    }
  }
}
