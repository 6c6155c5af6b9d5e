package io.stagewise.sweep.results;

import io.stagewise.ceg.Checkpoint;
import io.stagewise.ceg.ScalingRun;
import io.stagewise.sweep.plan.ScalingPlan;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The raw curves of a scaling sweep as Parquet, one row per run × evaluation (DESIGN.md § Sweeps and results):
 * size, innovation, seed, the run's stage key, step, cumulative FLOPs, cumulative training seconds (null when not
 * recorded) and eval loss, unsmoothed, so any analysis can be redone from it.
 */
public final class LossCurvesTable {
  public static final StructType SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("sweep", DataTypes.StringType, false),
      DataTypes.createStructField("size", DataTypes.StringType, false),
      DataTypes.createStructField("innovation", DataTypes.StringType, false),
      DataTypes.createStructField("seed", DataTypes.LongType, false),
      DataTypes.createStructField("stage_key", DataTypes.StringType, false),
      DataTypes.createStructField("step", DataTypes.LongType, false),
      DataTypes.createStructField("flops", DataTypes.DoubleType, false),
      DataTypes.createStructField("seconds", DataTypes.DoubleType, true),
      DataTypes.createStructField("loss", DataTypes.DoubleType, false)));

  private LossCurvesTable() {}

  /** {@code runs[i]} is the curve of {@code plan.runs()[i]}. */
  public static void write(SparkSession spark, String sweep, ScalingPlan plan, List<ScalingRun> runs, String uri) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      ScalingRun run = runs.get(i);
      String key = plan.runs().get(i).training().key();
      for (Checkpoint c : run.curve().points()) {
        rows.add(RowFactory.create(sweep, run.size(), run.innovation(), run.seed(), key, c.step(), c.flops(),
            Double.isNaN(c.seconds()) ? null : c.seconds(), c.loss()));
      }
    }
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(uri);
  }
}
