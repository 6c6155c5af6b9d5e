package io.stagewise.sweep.run;

/**
 * Where training and evaluation runs execute: threads of this driver ({@link LocalTrainingLauncher}) or tasks
 * of the Spark cluster, one run per task ({@link SparkTaskLauncher}). {@link #launch} blocks until the run
 * is done and returns its outcome as JSON; the scheduler calls it from as many threads as it has training
 * slots.
 */
public interface TrainingLauncher {
  String launch(TrainingTask task);

  /** Runs a task here; the body every launcher ends in, on whichever JVM it lands. */
  static String runHere(TrainingTask task) {
    return TrainingWork.run(task);
  }
}
