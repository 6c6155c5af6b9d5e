package io.stagewise.distributed;

import io.stagewise.trainer.collective.CollectiveOptions;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A run trained by W data-parallel workers in one Spark barrier stage.
 *
 * @param run the run; its {@code batchSize} is the global batch and its {@code microBatches} (a multiple of
 *     W) count the micro-batches of the global batch, so the same spec means the same optimisation at any W
 * @param workers W ≥ 2 (one worker trains locally, without Spark)
 * @param collective ring timeouts and limits
 * @param fault a worker to fail once mid-run, or null
 */
public record DataParallelRun(TrainRunSpec run, int workers, CollectiveOptions collective, FaultInjection fault) {

  public DataParallelRun {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(collective, "collective");
    List<String> errors = new ArrayList<>();
    if (workers < 2) {
      errors.add("workers: must be >= 2 for a data-parallel run, got " + workers);
    } else if (run.train().microBatches() % workers != 0) {
      errors.add("train.micro_batches: must be a multiple of the " + workers + " workers (each worker runs"
          + " micro_batches / workers micro-batches of batch_size / micro_batches rows), got "
          + run.train().microBatches());
    }
    if (fault != null && fault.rank() >= workers) {
      errors.add("injected failure: rank " + fault.rank() + " is not one of the " + workers + " workers");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  public static DataParallelRun of(TrainRunSpec run, int workers) {
    return new DataParallelRun(run, workers, CollectiveOptions.defaults(), null);
  }

  public DataParallelRun withFault(FaultInjection newFault) {
    return new DataParallelRun(run, workers, collective, newFault);
  }

  public DataParallelRun withCollective(CollectiveOptions newCollective) {
    return new DataParallelRun(run, workers, newCollective, fault);
  }
}
