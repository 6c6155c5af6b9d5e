package io.stagewise.sweep.run;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * Runs each training task on the calling thread of this JVM; the scheduler's bounded pool of training slots
 * is the parallelism. For laptops and tests, where Spark's executors are this JVM anyway. Runs use the Spark
 * session's Hadoop configuration ({@code spark.hadoop.*} included) when there is a session.
 */
public final class LocalTrainingLauncher implements TrainingLauncher {
  @Override
  public String launch(TrainingTask task) {
    Configuration conf = SparkSession.getDefaultSession().isDefined()
        ? SparkSession.getDefaultSession().get().sparkContext().hadoopConfiguration() : new Configuration();
    return TrainingLauncher.runHere(task, conf);
  }
}
