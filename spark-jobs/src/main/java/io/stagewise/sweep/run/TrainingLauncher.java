package io.stagewise.sweep.run;

import org.apache.hadoop.conf.Configuration;

/**
 * Where training and evaluation runs execute: threads of this driver ({@link LocalTrainingLauncher}) or tasks
 * of the Spark cluster, one run per task ({@link SparkTaskLauncher}). {@link #launch} blocks until the run
 * is done and returns its outcome as JSON; the scheduler calls it from as many threads as it has training
 * slots.
 */
public interface TrainingLauncher {
  String launch(TrainingTask task);

  /**
   * Runs a task here with the driver's Hadoop configuration; the body every launcher ends in, on whichever
   * JVM it lands.
   */
  static String runHere(TrainingTask task, Configuration driverHadoop) {
    return TrainingWork.run(task, driverHadoop);
  }
}
