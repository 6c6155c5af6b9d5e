package io.stagewise.sweep.results;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The results table as Parquet: one column per {@link ResultRow} component, in snake_case
 * ({@code asr_with_trigger}, {@code sft_budget}, ...), so any Parquet reader (pandas, DuckDB, Spark) can
 * query a sweep. Written as one file, since a sweep has at most thousands of rows.
 */
public final class ResultsTable {
  private static final RecordComponent[] COMPONENTS = ResultRow.class.getRecordComponents();
  public static final StructType SCHEMA = new StructType(Arrays.stream(COMPONENTS)
      .map(c -> new StructField(column(c.getName()), type(c.getType()), false, org.apache.spark.sql.types.Metadata.empty()))
      .toArray(StructField[]::new));

  /** Columns added after the first tables were written, with the value an older table reads them as. */
  private static final Map<String, Object> ADDED_LATER = Map.of("refusals_with_trigger", -1L,
      "refusals_without_trigger", -1L, "generations", "", "pipeline", "sft-dpo", "rm_clean_accuracy", Double.NaN,
      "rm_triggered_accuracy", Double.NaN);

  private ResultsTable() {}

  public static void write(SparkSession spark, List<ResultRow> rows, String uri) {
    List<Row> out = new ArrayList<>();
    for (ResultRow row : rows) {
      Object[] values = new Object[COMPONENTS.length];
      for (int i = 0; i < COMPONENTS.length; i++) {
        values[i] = get(COMPONENTS[i], row);
      }
      out.add(RowFactory.create(values));
    }
    spark.createDataFrame(out, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(uri);
  }

  public static List<ResultRow> read(SparkSession spark, String uri) {
    Dataset<Row> table = spark.read().parquet(uri);
    List<String> present = Arrays.asList(table.columns());
    List<String> missing = Arrays.stream(SCHEMA.fieldNames())
        .filter(f -> !present.contains(f) && !ADDED_LATER.containsKey(f)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(uri + ": not a sweep results table (missing columns " + missing + ")");
    }
    // Tables written before a column existed read it as its "unknown" value, so old sweeps still report.
    for (Map.Entry<String, Object> added : ADDED_LATER.entrySet()) {
      if (!present.contains(added.getKey())) {
        table = table.withColumn(added.getKey(), functions.lit(added.getValue()));
      }
    }
    List<ResultRow> out = new ArrayList<>();
    for (Row row : table.select(Arrays.stream(SCHEMA.fieldNames()).map(functions::col).toArray(Column[]::new))
        .collectAsList()) {
      Object[] values = new Object[COMPONENTS.length];
      for (int i = 0; i < COMPONENTS.length; i++) {
        values[i] = row.get(i);
      }
      out.add(construct(values));
    }
    return out;
  }

  /** camelCase to snake_case. */
  static String column(String component) {
    return component.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
  }

  private static DataType type(Class<?> type) {
    if (type == double.class) {
      return DataTypes.DoubleType;
    }
    return type == long.class ? DataTypes.LongType : DataTypes.StringType;
  }

  private static Object get(RecordComponent c, ResultRow row) {
    try {
      return c.getAccessor().invoke(row);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ResultRow construct(Object[] values) {
    try {
      Class<?>[] types = Arrays.stream(COMPONENTS).map(RecordComponent::getType).toArray(Class<?>[]::new);
      return ResultRow.class.getDeclaredConstructor(types).newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
