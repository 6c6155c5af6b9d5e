package io.stagewise.trainer.train;

import ai.djl.Device;
import io.stagewise.trainer.collective.Collective;
import io.stagewise.trainer.collective.SingleWorkerCollective;
import java.util.Objects;

/**
 * How one worker of a run executes: its place in a data-parallel group, its device, how it records gradients,
 * its share of the engine's CPU threads, and who hears of its steps. A single local run is {@link #local()}.
 *
 * <p>With W workers the run's {@code batchSize} stays the global batch and {@code microBatches} counts the
 * micro-batches of the whole batch; worker r runs micro-batches {@code [r·M/W, (r+1)·M/W)}, so the spec means
 * the same optimisation whatever W is (nanoGPT divides its accumulation steps by the world size the same way).
 *
 * @param collective the group; its rank 0 evaluates and writes metrics and checkpoints
 * @param device where the model lives, or null for the engine's default device
 * @param autograd how this worker's thread records and runs backward
 * @param intraOpThreads engine intra-op threads of this worker's thread; 0 keeps the run's own setting
 * @param listener told after every update
 */
public record Worker(Collective collective, Device device, Autograd autograd, int intraOpThreads,
    StepListener listener) {

  public Worker {
    Objects.requireNonNull(collective, "collective");
    Objects.requireNonNull(autograd, "autograd");
    Objects.requireNonNull(listener, "listener");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
  }

  /** One worker alone in this process, on the default device, with DJL's gradient collector. */
  public static Worker local() {
    return new Worker(new SingleWorkerCollective(), null, Autograd.engineCollector(), 0, StepListener.NONE);
  }

  /** Rank 0 writes metrics and checkpoints and runs evaluations. */
  public boolean lead() {
    return collective.rank() == 0;
  }
}
