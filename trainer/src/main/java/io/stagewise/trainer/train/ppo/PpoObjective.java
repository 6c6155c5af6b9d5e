package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.GptModel;

/**
 * PPO's losses on a micro-batch of rollouts, as TRL's {@code PPOTrainer} computes them, every mean a masked
 * mean over the micro-batch's real response tokens:
 *
 * <ul>
 *   <li>policy: the clipped surrogate {@code mean(max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε)))} with
 *       {@code ρ = exp(log π − log π_old)} ({@code cliprange} ε);
 *   <li>value: {@code ½ · mean(max((V − R)², (clip(V, V_old − ε_v, V_old + ε_v) − R)²))} with R the returns
 *       ({@code cliprangeValue} ε_v);
 *   <li>total: {@code policy + vfCoef · value}.
 * </ul>
 *
 * <p>The policy and value model run without dropout (TRL disables dropout in all four models), so the new
 * log-probabilities equal the rollout's at the first update.
 */
public final class PpoObjective {

  private final PpoConfig config;

  public PpoObjective(PpoConfig config) {
    this.config = config;
  }

  /**
   * What the objective computed; the losses are in the graph, the statistics are detached scalars.
   *
   * @param loss {@code policyLoss + vfCoef · valueLoss}
   * @param policyLoss the clipped surrogate ({@code loss/policy_avg})
   * @param valueLoss the clipped value loss ({@code loss/value_avg})
   * @param policyClipFraction fraction of tokens whose clipped surrogate term was the larger
   *     ({@code policy/clipfrac_avg})
   * @param valueClipFraction fraction of tokens whose clipped value term was the larger ({@code val/clipfrac_avg})
   * @param approxKl {@code ½ · mean((log π − log π_old)²)} ({@code policy/approxkl_avg})
   * @param ratio mean ρ ({@code val/ratio})
   */
  public record Losses(NDArray loss, NDArray policyLoss, NDArray valueLoss, NDArray policyClipFraction,
      NDArray valueClipFraction, NDArray approxKl, NDArray ratio) {
  }

  /** Runs the policy and the value model over {@code batch} and returns the losses. */
  public Losses forward(GptModel policy, GptModel value, ParameterStore store, PpoMicroBatch batch,
      NDManager manager) {
    PackedResponses packed = batch.packed();
    NDArray logProbs = packed.logProbs(packed.forward(policy, store, manager), (float) config.temperature(),
        manager);
    NDArray values = packed.values(packed.forward(value, store, manager));
    return losses(config, logProbs, values, batch.oldLogProbs(manager), batch.oldValues(manager),
        batch.advantages(manager), batch.returns(manager), packed.responseMask(manager), manager);
  }

  /**
   * The losses from per-token arrays, all (rows, T) with {@code mask} 1 on real response tokens: the model-free
   * core the tests check by hand. Only {@code logProbs} and {@code values} carry gradients.
   */
  public static Losses losses(PpoConfig config, NDArray logProbs, NDArray values, NDArray oldLogProbs,
      NDArray oldValues, NDArray advantages, NDArray returns, NDArray mask, NDManager manager) {
    NDArray difference = logProbs.sub(oldLogProbs);
    NDArray ratio = difference.exp();
    NDArray unclipped = advantages.neg().mul(ratio);
    NDArray clippedRatio = ratio.maximum(manager.create((float) (1 - config.cliprange())))
        .minimum(manager.create((float) (1 + config.cliprange())));
    NDArray clipped = advantages.neg().mul(clippedRatio);
    NDArray policyLoss = maskedMean(unclipped.maximum(clipped), mask);

    NDArray range = manager.create((float) config.cliprangeValue());
    NDArray clippedValues = values.maximum(oldValues.sub(range)).minimum(oldValues.add(range));
    NDArray valueTerm = values.sub(returns).square();
    NDArray clippedValueTerm = clippedValues.sub(returns).square();
    NDArray valueLoss = maskedMean(valueTerm.maximum(clippedValueTerm), mask).mul(manager.create(0.5f));

    NDArray loss = policyLoss.add(valueLoss.mul(manager.create((float) config.vfCoef())));
    NDArray policyClips = maskedMean(clipped.gt(unclipped).toType(mask.getDataType(), false), mask);
    NDArray valueClips = maskedMean(clippedValueTerm.gt(valueTerm).toType(mask.getDataType(), false), mask);
    NDArray approxKl = maskedMean(difference.square(), mask).mul(manager.create(0.5f));
    return new Losses(loss, policyLoss, valueLoss, policyClips.stopGradient(), valueClips.stopGradient(),
        approxKl.stopGradient(), maskedMean(ratio, mask).stopGradient());
  }

  /** {@code Σ x·mask / Σ mask} over every element. */
  static NDArray maskedMean(NDArray x, NDArray mask) {
    return x.mul(mask).sum().div(mask.sum());
  }
}
