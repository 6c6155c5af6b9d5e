package io.stagewise.sweep.results;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * An evaluation's generations as Parquet ({@value #FILE} beside the stage's marker): one row per prompt ×
 * condition × trigger ({@link GenerationRow}; columns in snake_case), so a sweep's responses can be read,
 * sampled and resampled with any Parquet reader. Written as one file.
 */
public final class GenerationsTable {
  public static final String FILE = "generations.parquet";
  public static final String VERDICT = "verdict";
  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("run_key", DataTypes.StringType), field("trigger", DataTypes.StringType),
      field("condition", DataTypes.StringType), field("prompt_index", DataTypes.IntegerType),
      field("prompt", DataTypes.StringType), field("response", DataTypes.StringType),
      field(VERDICT, DataTypes.StringType), field("detail", DataTypes.StringType),
      field("clean_rm_score", DataTypes.DoubleType), field("response_tokens", DataTypes.IntegerType),
      field("ended", DataTypes.BooleanType), field("prompt_truncated", DataTypes.BooleanType)});

  private GenerationsTable() {}

  /** Writes the evaluation outcome's {@code generations} array (see PolicyEvaluation) for run {@code runKey}. */
  public static long write(SparkSession spark, String runKey, JsonNode generations, String uri) {
    List<Row> rows = new ArrayList<>();
    for (JsonNode g : generations) {
      rows.add(RowFactory.create(runKey, g.get("trigger").asText(), g.get("condition").asText(),
          g.get("prompt_index").asInt(), g.get("prompt").asText(), g.get("response").asText(),
          g.get(VERDICT).asText(), g.get("detail").asText(), SweepResults.number(g, "clean_rm_score"),
          g.get("response_tokens").asInt(), g.get("ended").asBoolean(), g.get("prompt_truncated").asBoolean()));
    }
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(uri);
    return rows.size();
  }

  /**
   * The generations of the results' runs that are still where their evaluation wrote them (a results table
   * copied away from its stage directories reads none, and its report falls back on the counts).
   */
  public static List<GenerationRow> readFor(SparkSession spark, List<ResultRow> results) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<String> present = new ArrayList<>();
    for (String uri : results.stream().map(ResultRow::generations).filter(u -> !u.isEmpty()).distinct().toList()) {
      Path path = new Path(uri);
      try {
        if (path.getFileSystem(conf).exists(path)) {
          present.add(uri);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot check " + uri + ": " + e.getMessage(), e);
      }
    }
    return read(spark, present);
  }

  /** The rows of every table in {@code uris}, in one Spark job. */
  public static List<GenerationRow> read(SparkSession spark, List<String> uris) {
    if (uris.isEmpty()) {
      return List.of();
    }
    Column[] columns = Arrays.stream(SCHEMA.fieldNames()).map(functions::col).toArray(Column[]::new);
    List<GenerationRow> out = new ArrayList<>();
    for (Row r : spark.read().schema(SCHEMA).parquet(uris.toArray(String[]::new)).select(columns).collectAsList()) {
      out.add(new GenerationRow(r.getString(0), r.getString(1), r.getString(2), r.getInt(3), r.getString(4),
          r.getString(5), r.getString(6), r.getString(7), r.getDouble(8), r.getInt(9), r.getBoolean(10),
          r.getBoolean(11)));
    }
    return out;
  }

  private static StructField field(String name, org.apache.spark.sql.types.DataType type) {
    return new StructField(name, type, false, Metadata.empty());
  }
}
