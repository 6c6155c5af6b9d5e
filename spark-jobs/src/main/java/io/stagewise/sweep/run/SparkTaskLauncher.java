package io.stagewise.sweep.run;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Runs each training task as one ordinary Spark task (DESIGN.md: independent runs of a sweep are scheduled
 * as ordinary tasks, one GPU each, via {@code spark.task.resource.gpu.amount}). Several driver threads each
 * submit a one-task job, so the cluster runs as many runs at once as the sweep has training slots; a failed
 * task is retried by Spark and the run resumes from its last checkpoint.
 */
public final class SparkTaskLauncher implements TrainingLauncher {
  private final JavaSparkContext context;

  public SparkTaskLauncher(SparkSession spark) {
    this.context = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @Override
  public String launch(TrainingTask task) {
    context.setJobGroup("stagewise-" + task.kind(), task.label(), true);
    return context.parallelize(List.of(task), 1).map(TrainingLauncher::runHere).collect().get(0);
  }
}
