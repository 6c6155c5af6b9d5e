package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.data.EpochOrder;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.DataParallelGroup;
import io.stagewise.trainer.train.ParameterUpdate;
import java.util.Arrays;

/**
 * PPO's optimisation phase on one rollout batch: {@code numPpoEpochs} passes, each over a fresh permutation of
 * the batch cut into {@code numMiniBatches} mini-batches, one optimizer update per mini-batch (TRL's loop).
 * A mini-batch is cut into M micro-batches whose losses are divided by M and accumulated, as TRL's gradient
 * accumulation does; with W workers, worker r runs micro-batches {@code [r·M/W, (r+1)·M/W)} and the gradients
 * are summed over the group before clipping, so the update is the one a single worker would make.
 *
 * <p>The permutations are a function of (seed, iteration, epoch) and every worker holds the whole batch, so the
 * mini-batches are the same whatever the number of workers and after a resume.
 */
final class PpoUpdate {

  /** Statistics summed over micro-batches, in this order (the loss first, as {@link ParameterUpdate} expects). */
  private static final int LOSS = 0;
  private static final int POLICY = 1;
  private static final int VALUE = 2;
  private static final int POLICY_CLIPS = 3;
  private static final int VALUE_CLIPS = 4;
  private static final int APPROX_KL = 5;
  private static final int RATIO = 6;
  private static final int STATISTICS = 7;

  private final GptModel policy;
  private final GptModel value;
  private final PpoObjective objective;
  private final PpoConfig config;
  private final ParameterUpdate update;
  private final DataParallelGroup group;
  private final Autograd autograd;
  private final NDManager manager;
  private final ParameterStore store;
  private final int microBatches;
  private final long seed;

  PpoUpdate(GptModel policy, GptModel value, PpoConfig config, ParameterUpdate update, DataParallelGroup group,
      Autograd autograd, NDManager manager, int microBatches, long seed) {
    if (microBatches % group.worldSize() != 0) {
      throw new IllegalArgumentException("train.microBatches (" + microBatches + ") must be a multiple of the "
          + group.worldSize() + " workers: each worker runs microBatches / workers of them");
    }
    this.policy = policy;
    this.value = value;
    this.objective = new PpoObjective(config);
    this.config = config;
    this.update = update;
    this.group = group;
    this.autograd = autograd;
    this.manager = manager;
    this.store = new ParameterStore(manager, false);
    this.microBatches = microBatches;
    this.seed = seed;
  }

  /**
   * The iteration's averages over every micro-batch of every update (TRL's {@code *_avg}), the mean gradient norm
   * before clipping, and the FLOPs of all the updates' forward and backward passes.
   */
  record Result(double loss, double policyLoss, double valueLoss, double policyClipFraction,
      double valueClipFraction, double approxKl, double ratio, double gradNorm, double flops) {
  }

  Result run(Rollout rollout, GeneralizedAdvantage.Estimate estimate, long iteration, double lr) {
    int rows = rollout.rows();
    int miniBatch = rows / config.numMiniBatches();
    int micro = miniBatch / microBatches;
    int mine = microBatches / group.worldSize();
    double[] totals = new double[STATISTICS];
    double gradNorms = 0;
    double flops = 0;
    for (int epoch = 0; epoch < config.numPpoEpochs(); epoch++) {
      int[] order = EpochOrder.permutation(rows, SamplingStreams.minibatchOrder(seed, iteration), epoch);
      for (int k = 0; k < config.numMiniBatches(); k++) {
        update.zeroGradients();
        double[] sums = new double[STATISTICS];
        try (Autograd.Recording recording = autograd.record()) {
          for (int m = 0; m < microBatches; m++) {
            int[] members = Arrays.copyOfRange(order, k * miniBatch + m * micro,
                k * miniBatch + (m + 1) * micro);
            PpoMicroBatch batch = new PpoMicroBatch(rollout, estimate, members);
            flops += FlopCounter.trainingFlops(policy.config(), policy.lora(), micro, batch.packed().width())
                + FlopCounter.trainingFlops(value.config(), value.lora(), micro, batch.packed().width());
            if (m >= group.rank() * mine && m < (group.rank() + 1) * mine) {
              microBatch(recording, batch, sums);
            }
          }
        }
        ParameterUpdate.Applied applied = update.apply(iteration, lr, sums);
        for (int s = 0; s < STATISTICS; s++) {
          totals[s] += applied.scalars()[s];
        }
        gradNorms += applied.gradNorm();
      }
    }
    double count = (double) config.numPpoEpochs() * config.numMiniBatches() * microBatches;
    return new Result(totals[LOSS] / count, totals[POLICY] / count, totals[VALUE] / count,
        totals[POLICY_CLIPS] / count, totals[VALUE_CLIPS] / count, totals[APPROX_KL] / count,
        totals[RATIO] / count, gradNorms / (config.numPpoEpochs() * config.numMiniBatches()), flops);
  }

  private void microBatch(Autograd.Recording recording, PpoMicroBatch batch, double[] sums) {
    try (NDScope scope = new NDScope(); NDManager local = manager.newSubManager()) {
      scope.suppressNotUsedWarning();
      PpoObjective.Losses losses = objective.forward(policy, value, store, batch, local);
      NDArray scaled = losses.loss().mul(local.create(1f / microBatches));
      recording.backward(scaled);
      sums[LOSS] += losses.loss().getFloat();
      sums[POLICY] += losses.policyLoss().getFloat();
      sums[VALUE] += losses.valueLoss().getFloat();
      sums[POLICY_CLIPS] += losses.policyClipFraction().getFloat();
      sums[VALUE_CLIPS] += losses.valueClipFraction().getFloat();
      sums[APPROX_KL] += losses.approxKl().getFloat();
      sums[RATIO] += losses.ratio().getFloat();
    }
  }
}
