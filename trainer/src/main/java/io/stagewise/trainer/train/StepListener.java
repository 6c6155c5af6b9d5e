package io.stagewise.trainer.train;

/**
 * Told after every optimizer update of a run, once its metrics and checkpoint (if any) are written. Throwing
 * from it fails the run, which is how fault-injection tests stop a worker mid-run.
 */
@FunctionalInterface
public interface StepListener {

  StepListener NONE = progress -> { };

  void stepDone(TrainProgress progress);
}
