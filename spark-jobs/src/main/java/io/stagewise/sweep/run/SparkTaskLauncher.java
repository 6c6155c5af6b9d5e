package io.stagewise.sweep.run;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Runs each training task as one ordinary Spark task (DESIGN.md: independent runs of a sweep are scheduled
 * as ordinary tasks, one GPU each, via {@code spark.task.resource.gpu.amount}). Several driver threads each
 * submit a one-task job, so the cluster runs as many runs at once as the sweep has training slots; a failed
 * task is retried by Spark and the run resumes from its last checkpoint.
 *
 * <p>The driver's Hadoop configuration (with every {@code spark.hadoop.*} setting: S3 credentials and
 * endpoints, {@code fs.defaultFS}) is broadcast once and used by every task; an executor's own
 * {@code new Configuration()} would know none of it.
 */
public final class SparkTaskLauncher implements TrainingLauncher {
  private final JavaSparkContext context;
  private final Broadcast<SerializableConfiguration> hadoop;

  public SparkTaskLauncher(SparkSession spark) {
    this.context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.hadoop = context.broadcast(new SerializableConfiguration(context.hadoopConfiguration()));
  }

  @Override
  public String launch(TrainingTask task) {
    context.setJobGroup("stagewise-" + task.kind(), task.label(), true);
    Broadcast<SerializableConfiguration> conf = hadoop;
    // The task travels in the closure (Java serialization), not as the job's one element: elements go through
    // spark.serializer, and the clusters' Kryo (conf/spark-defaults-*.conf) cannot write a record.
    return context.parallelize(List.of(0), 1)
        .map(unused -> TrainingLauncher.runHere(task, conf.value().value()))
        .collect().get(0);
  }
}
