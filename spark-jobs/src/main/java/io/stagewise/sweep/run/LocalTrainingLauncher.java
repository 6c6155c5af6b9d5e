package io.stagewise.sweep.run;

/**
 * Runs each training task on the calling thread of this JVM; the scheduler's bounded pool of training slots
 * is the parallelism. For laptops and tests, where Spark's executors are this JVM anyway.
 */
public final class LocalTrainingLauncher implements TrainingLauncher {
  @Override
  public String launch(TrainingTask task) {
    return TrainingLauncher.runHere(task);
  }
}
