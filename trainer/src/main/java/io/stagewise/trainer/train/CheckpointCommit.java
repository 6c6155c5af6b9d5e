package io.stagewise.trainer.train;

import io.stagewise.trainer.checkpoint.CheckpointState;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.optim.AdamW;

/**
 * How every training loop saves a checkpoint: the lead worker commits the metrics file and then the checkpoint,
 * and all workers meet at a barrier so none runs ahead of a checkpoint the others may resume from.
 */
public final class CheckpointCommit {
  private CheckpointCommit() {}

  public static void save(Worker worker, CheckpointStore checkpoints, MetricsLog metrics, CheckpointState state,
      AdamW optimizer) {
    if (worker.lead()) {
      checkpoints.requireCurrentWriter(); // a zombie of an earlier attempt must not rewrite the metrics either
      metrics.commit(); // first, so that the file always holds every record up to the latest checkpoint
      checkpoints.save(state, optimizer.parameters(), optimizer);
    }
    if (worker.collective().worldSize() > 1) {
      worker.collective().barrier();
    }
  }
}
