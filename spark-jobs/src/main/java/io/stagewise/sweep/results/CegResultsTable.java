package io.stagewise.sweep.results;

import io.stagewise.ceg.Gain;
import io.stagewise.ceg.ScalingResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A scaling sweep's results as Parquet: one row per size × innovation (baseline excluded) with the FLOPs CEG,
 * the wall-clock and the reference's step gains, each with its interval bounds (null: no interval) and status,
 * the loss it was measured to, the seeds behind it, and the innovation's class with its reason. Values a gain
 * does not have (an unreachable loss) are null, never a made-up number.
 */
public final class CegResultsTable {
  private static final String[] GAINS = {"ceg", "wall_clock_gain", "step_gain"};

  public static final StructType SCHEMA = schema();

  private CegResultsTable() {}

  private static StructType schema() {
    List<StructField> fields = new ArrayList<>(List.of(
        DataTypes.createStructField("sweep", DataTypes.StringType, false),
        DataTypes.createStructField("size", DataTypes.StringType, false),
        DataTypes.createStructField("size_rank", DataTypes.IntegerType, false),
        DataTypes.createStructField("innovation", DataTypes.StringType, false),
        DataTypes.createStructField("baseline", DataTypes.StringType, false),
        DataTypes.createStructField("baseline_seeds", DataTypes.IntegerType, false),
        DataTypes.createStructField("innovation_seeds", DataTypes.IntegerType, false)));
    for (String gain : GAINS) {
      fields.add(DataTypes.createStructField(gain, DataTypes.DoubleType, true));
      fields.add(DataTypes.createStructField(gain + "_low", DataTypes.DoubleType, true));
      fields.add(DataTypes.createStructField(gain + "_high", DataTypes.DoubleType, true));
      fields.add(DataTypes.createStructField(gain + "_status", DataTypes.StringType, false));
      fields.add(DataTypes.createStructField(gain + "_target_loss", DataTypes.DoubleType, true));
    }
    fields.add(DataTypes.createStructField("class", DataTypes.StringType, false));
    fields.add(DataTypes.createStructField("class_reason", DataTypes.StringType, false));
    return DataTypes.createStructType(fields);
  }

  /** The rows of {@code results}, in the report's order (innovations as first seen, sizes smallest first). */
  public static List<Row> rows(String sweep, ScalingResults results) {
    List<Row> out = new ArrayList<>();
    for (ScalingResults.Innovation innovation : results.innovations()) {
      for (ScalingResults.SizeGains g : innovation.sizes()) {
        List<Object> values = new ArrayList<>(List.of(sweep, g.size(), results.sizes().indexOf(g.size()),
            innovation.name(), results.baseline(), g.baselineSeeds(), g.innovationSeeds()));
        for (Gain gain : List.of(g.flops(), g.seconds(), g.steps())) {
          values.add(number(gain.status() == Gain.Status.UNREACHABLE ? Double.POSITIVE_INFINITY : gain.value()));
          values.add(number(gain.low()));
          values.add(number(gain.high()));
          values.add(gain.status().name().toLowerCase(Locale.ROOT));
          values.add(number(gain.targetLoss()));
        }
        values.add(innovation.verdict().kind().words());
        values.add(innovation.verdict().reason());
        out.add(RowFactory.create(values.toArray()));
      }
    }
    return out;
  }

  /** Writes the rows as one Parquet file under {@code uri}, replacing an earlier table. */
  public static void write(SparkSession spark, String sweep, ScalingResults results, String uri) {
    spark.createDataFrame(rows(sweep, results), SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(uri);
  }

  /** NaN (no value) as null; ±∞ (unreachable) kept, as Parquet doubles can hold it. */
  private static Double number(double x) {
    return Double.isNaN(x) ? null : x;
  }
}
