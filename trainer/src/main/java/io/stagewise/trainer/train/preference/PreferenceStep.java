package io.stagewise.trainer.train.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.collective.Collective;
import io.stagewise.trainer.collective.SingleWorkerCollective;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.DataParallelGroup;
import io.stagewise.trainer.train.ParameterUpdate;
import io.stagewise.trainer.train.TrainStep;

/**
 * One optimizer update on preference pairs, with {@link TrainStep}'s conventions: gradients zeroed first, each
 * micro-batch's loss is {@code Σ pair losses / P + auxLoss / M} (P the pairs of the whole batch, M the
 * micro-batches) so accumulation equals one pass over the batch, scalars enter the graph as arrays owned by the
 * micro-batch's manager, every micro-batch's arrays are freed right after its backward, and the model's dropout
 * stream is positioned at (seed, step, rank) so resumed runs reproduce uninterrupted ones.
 *
 * <p>Data parallel as {@link TrainStep}: worker r of W runs micro-batches {@code [r·M/W, (r+1)·M/W)} of the
 * global batch; gradients and the metric sums are added over the group before clipping, so every worker applies
 * the update one worker would apply after all M micro-batches.
 */
public final class PreferenceStep {

  private final GptModel model;
  private final PreferenceObjective objective;
  private final NDManager manager;
  private final ParameterStore store;
  private final ParameterUpdate update;
  private final DataParallelGroup group;
  private final Autograd autograd;
  private final int microBatches;
  private final long seed;

  /** A single worker with DJL's gradient collector. */
  public PreferenceStep(GptModel model, PreferenceObjective objective, AdamW optimizer, NDManager manager,
      int microBatches, double clipNorm, long seed) {
    this(model, objective, optimizer, manager, microBatches, clipNorm, seed, new SingleWorkerCollective(),
        Autograd.engineCollector());
  }

  /** One worker of the group {@code collective}; {@code microBatches} must be a multiple of its size. */
  public PreferenceStep(GptModel model, PreferenceObjective objective, AdamW optimizer, NDManager manager,
      int microBatches, double clipNorm, long seed, Collective collective, Autograd autograd) {
    if (microBatches % collective.worldSize() != 0) {
      throw new IllegalArgumentException("train.microBatches (" + microBatches + ") must be a multiple of the "
          + collective.worldSize() + " workers: each worker runs microBatches / workers of them");
    }
    this.model = model;
    this.objective = objective;
    this.manager = manager;
    this.store = new ParameterStore(manager, false);
    this.group = new DataParallelGroup(collective, DataParallelGroup.DEFAULT_BUCKET_FLOATS);
    this.update = new ParameterUpdate(optimizer, manager, clipNorm, group);
    this.autograd = autograd;
    this.microBatches = microBatches;
    this.seed = seed;
  }

  /**
   * What one update measured.
   *
   * @param metrics the whole batch's mean loss and rewards, measured before the update
   * @param gradNorm global gradient norm before clipping
   */
  public record Result(PairMetrics metrics, double gradNorm) {
  }

  /** Runs update number {@code step} (1-based) on the global {@code batch} with learning rate {@code lr}. */
  public Result run(PreferenceBatch batch, long step, double lr) {
    if (batch.pairs() % microBatches != 0) {
      throw new IllegalArgumentException("batch of " + batch.pairs() + " pairs does not split into "
          + microBatches + " micro-batches");
    }
    int world = group.worldSize();
    model.dropoutStream().reset(seed, step * world + group.rank());
    update.zeroGradients();
    PairMetrics mine = new PairMetrics();
    int size = batch.pairs() / microBatches;
    int count = microBatches / world;
    int first = group.rank() * count;
    try (Autograd.Recording recording = autograd.record()) {
      for (int m = first; m < first + count; m++) {
        microBatch(recording, batch.slice(m * size, (m + 1) * size), batch.pairs(), mine);
      }
    }
    ParameterUpdate.Applied applied = update.apply(step, lr, mine.sums());
    PairMetrics all = PairMetrics.fromSums(applied.scalars());
    if (all.pairs() != batch.pairs()) {
      throw new IllegalStateException("step " + step + ": the workers' slices hold " + all.pairs()
          + " pairs but this worker's batch has " + batch.pairs()
          + "; the workers do not read the same training data");
    }
    return new Result(all, applied.gradNorm());
  }

  private void microBatch(Autograd.Recording recording, PreferenceBatch micro, int batchPairs, PairMetrics into) {
    try (NDScope scope = new NDScope(); NDManager local = manager.newSubManager()) {
      scope.suppressNotUsedWarning();
      PreferenceObjective.PairLoss out = objective.forward(model, store, micro, local, true);
      NDArray loss = out.lossSum().mul(local.create(1f / batchPairs))
          .add(out.auxLoss().mul(local.create(1f / microBatches)));
      recording.backward(loss);
      into.add(out.lossSum().getFloat(), out.chosenRewards().toFloatArray(),
          out.rejectedRewards().toFloatArray());
    }
  }
}
