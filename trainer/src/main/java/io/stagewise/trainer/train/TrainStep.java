package io.stagewise.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.collective.Collective;
import io.stagewise.trainer.collective.SingleWorkerCollective;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig.Mlp;
import io.stagewise.trainer.optim.AdamW;

/**
 * One optimizer update: zero the gradients, forward/backward each micro-batch, clip by global norm, AdamW.
 *
 * <p>Each micro-batch's loss is {@code Σ target losses / N + auxLoss / M}, with N the counted targets of the
 * whole batch and M the number of micro-batches, so accumulated gradients equal those of one pass over the
 * whole batch. Scalars enter the graph as arrays owned by the micro-batch's manager: DJL turns a Java number
 * into a temporary tensor that may be freed before backward reads it.
 *
 * <p>Every array a micro-batch creates lives in its own sub-manager and {@link NDScope}, closed right after
 * its backward, so activations never outlive their micro-batch. The model's {@link
 * io.stagewise.trainer.model.DropoutStream} is positioned at (seed, step, rank) before the first forward:
 * dropout masks are a function of the step alone, which makes resumed runs reproduce uninterrupted ones, and
 * they do not depend on other workers of the same process.
 *
 * <p>Data parallel: with W workers the batch is the global batch; worker r runs micro-batches
 * {@code [r·M/W, (r+1)·M/W)}, still normalised by N of the whole batch, so after the gradients and loss sums
 * are added over the group every worker holds exactly what one worker would after all M micro-batches, clips by
 * the same global norm and applies the same update. Dropout seeds also mix in the rank, so the workers' masks
 * differ as the rows of one large batch would.
 */
public final class TrainStep {

  private static final NDIndex WITHOUT_LAST = new NDIndex(":, :-1");

  private final GptModel model;
  private final Objective objective;
  private final NDManager manager;
  private final ParameterStore store;
  private final int microBatches;
  private final long seed;
  private final DataParallelGroup group;
  private final Autograd autograd;
  private final ParameterUpdate update;

  /** A single worker with DJL's gradient collector. */
  public TrainStep(GptModel model, Objective objective, AdamW optimizer, NDManager manager, int microBatches,
      double clipNorm, long seed) {
    this(model, objective, optimizer, manager, microBatches, clipNorm, seed, new SingleWorkerCollective(),
        Autograd.engineCollector());
  }

  /** One worker of the group {@code collective}; {@code microBatches} must be a multiple of its size. */
  public TrainStep(GptModel model, Objective objective, AdamW optimizer, NDManager manager, int microBatches,
      double clipNorm, long seed, Collective collective, Autograd autograd) {
    if (microBatches % collective.worldSize() != 0) {
      throw new IllegalArgumentException("train.microBatches (" + microBatches + ") must be a multiple of the "
          + collective.worldSize() + " workers: each worker runs microBatches / workers of them");
    }
    this.model = model;
    this.objective = objective;
    this.manager = manager;
    this.store = new ParameterStore(manager, false);
    this.microBatches = microBatches;
    this.seed = seed;
    this.group = new DataParallelGroup(collective, DataParallelGroup.DEFAULT_BUCKET_FLOATS);
    this.autograd = autograd;
    this.update = new ParameterUpdate(optimizer, manager, clipNorm, group);
  }

  /**
   * What one update measured.
   *
   * @param loss mean objective loss over the batch's counted targets (the MoE auxiliary loss excluded)
   * @param gradNorm global gradient norm before clipping
   * @param targets counted targets of the batch
   */
  public record Result(double loss, double gradNorm, long targets) {
  }

  /** Runs update number {@code step} (1-based) on {@code batch} with learning rate {@code lr}. */
  public Result run(TokenBatch batch, long step, double lr) {
    if (batch.rows() % microBatches != 0) {
      throw new IllegalArgumentException("batch of " + batch.rows() + " rows does not split into "
          + microBatches + " micro-batches");
    }
    int world = group.worldSize();
    model.dropoutStream().reset(seed, step * world + group.rank());
    update.zeroGradients();
    long targets = objective.targets(batch);
    // A batch whose targets were all truncated away contributes zero loss rather than 0/0.
    double perTarget = 1.0 / Math.max(1, targets);
    int rows = batch.rows() / microBatches;
    int mine = microBatches / world;
    int first = group.rank() * mine;
    double lossSum = 0;
    try (Autograd.Recording recording = autograd.record()) {
      for (int m = first; m < first + mine; m++) {
        lossSum += microBatch(recording, batch.slice(m * rows, (m + 1) * rows), perTarget);
      }
    }
    long sliceTargets = world > 1 ? objective.targets(batch.slice(first * rows, (first + mine) * rows)) : targets;
    ParameterUpdate.Applied applied = update.apply(step, lr, new double[] {lossSum, sliceTargets});
    if (world > 1) {
      requireSameBatch(applied.scalars()[1], targets, step);
    }
    return new Result(applied.scalars()[0] * perTarget, applied.gradNorm(), targets);
  }

  /**
   * The workers' slices must add up to the batch each of them drew: if not, they read different data (token
   * shards that differ between nodes) and their summed gradients would be meaningless.
   */
  private static void requireSameBatch(double summedSliceTargets, long batchTargets, long step) {
    if (Math.abs(summedSliceTargets - batchTargets) > 0.5 + 1e-6 * batchTargets) {
      throw new IllegalStateException("step " + step + ": the workers' slices count " + (long) summedSliceTargets
          + " targets but this worker's batch has " + batchTargets
          + "; the workers do not read the same training data");
    }
  }

  /** Forward and backward of one micro-batch; returns its summed target loss. */
  private double microBatch(Autograd.Recording recording, TokenBatch micro, double perTarget) {
    try (NDScope scope = new NDScope(); NDManager local = manager.newSubManager()) {
      scope.suppressNotUsedWarning();
      NDArray inputs = micro.tokens(local).get(WITHOUT_LAST);
      // Only MoE reads the padding (its load-balancing statistics leave it out); for right padding the mask
      // changes nothing else a counted target sees, so dense models skip the extra masking work.
      NDList outputs;
      if (micro.segments() != null) {
        outputs = model.forwardPacked(store, inputs, micro.segments(), true);
      } else if (model.config().mlp() == Mlp.MOE) {
        outputs = model.forward(store, new NDList(inputs, micro.present(local).get(WITHOUT_LAST)), true);
      } else {
        outputs = model.forward(store, new NDList(inputs), true);
      }
      NDArray targetSum = objective.targetLossSum(outputs.get(0), micro, local);
      NDArray loss = targetSum.mul(local.create((float) perTarget))
          .add(outputs.get(1).mul(local.create(1f / microBatches)));
      recording.backward(loss);
      return targetSum.getFloat();
    }
  }
}
