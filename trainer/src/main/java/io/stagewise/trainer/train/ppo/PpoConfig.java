package io.stagewise.trainer.train.ppo;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.stagewise.trainer.model.LoraConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The PPO-specific settings, named as TRL's {@code PPOConfig} names them (camel-cased); the shared optimisation
 * settings are a {@code TrainConfig}, whose {@code steps} count PPO iterations (one rollout batch of
 * {@code batchSize} prompts each) and whose {@code microBatches} split every mini-batch (gradient accumulation).
 *
 * @param responseLength tokens generated at most per prompt
 * @param temperature sampling temperature; the log-probabilities are those of the tempered policy, as TRL's
 * @param topK sample among the k most likely tokens (0: all); log-probabilities stay over the whole vocabulary
 * @param stopTokenId the end token: a response stops after it, and a response without it is penalised
 * @param missingEosPenalty subtracted from the score of a response that never emitted the end token; null for none
 * @param klCoef weight of the per-token KL penalty in the reward
 * @param klEstimator {@link KlEstimator#K1} or {@link KlEstimator#K3}
 * @param whitenRewards whiten the per-token rewards (without shifting their mean) before GAE
 * @param gamma discount of GAE
 * @param lam λ of GAE
 * @param numPpoEpochs passes over each rollout batch
 * @param numMiniBatches optimizer updates per pass (the rollout batch split into this many mini-batches)
 * @param cliprange ε of the clipped surrogate objective
 * @param cliprangeValue how far a new value may move from the rollout's value before its loss is clipped
 * @param vfCoef weight of the value loss beside the policy loss
 * @param valueInit where the value model starts
 * @param valueLora LoRA adapters of the value model (its scalar head trains beside them), or null (unset, out of the
 *     JSON) to train all of it; the policy's adapters are the train settings' {@code lora}
 */
public record PpoConfig(int responseLength, double temperature, int topK, int stopTokenId, Double missingEosPenalty,
    double klCoef, KlEstimator klEstimator, boolean whitenRewards, double gamma, double lam, int numPpoEpochs,
    int numMiniBatches, double cliprange, double cliprangeValue, double vfCoef, ValueInit valueInit,
    @JsonInclude(JsonInclude.Include.NON_NULL) LoraConfig valueLora) {

  /** Settings whose value model trains whole. */
  public PpoConfig(int responseLength, double temperature, int topK, int stopTokenId, Double missingEosPenalty,
      double klCoef, KlEstimator klEstimator, boolean whitenRewards, double gamma, double lam, int numPpoEpochs,
      int numMiniBatches, double cliprange, double cliprangeValue, double vfCoef, ValueInit valueInit) {
    this(responseLength, temperature, topK, stopTokenId, missingEosPenalty, klCoef, klEstimator, whitenRewards, gamma,
        lam, numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, valueInit, null);
  }

  public PpoConfig {
    List<String> errors = new ArrayList<>();
    require(errors, responseLength >= 1, "responseLength", "must be >= 1, got " + responseLength);
    require(errors, temperature > 0 && Double.isFinite(temperature), "temperature",
        "must be a positive finite number (PPO samples), got " + temperature);
    require(errors, topK >= 0, "topK", "must be >= 0 (0 = no limit), got " + topK);
    require(errors, stopTokenId >= 0, "stopTokenId", "must be a token id, got " + stopTokenId);
    require(errors, missingEosPenalty == null || Double.isFinite(missingEosPenalty), "missingEosPenalty",
        "must be finite or unset, got " + missingEosPenalty);
    require(errors, klCoef >= 0 && Double.isFinite(klCoef), "klCoef", "must be finite and >= 0, got " + klCoef);
    require(errors, klEstimator != null, "klEstimator", "must be set (k1 or k3)");
    require(errors, gamma >= 0 && gamma <= 1, "gamma", "must be in [0, 1], got " + gamma);
    require(errors, lam >= 0 && lam <= 1, "lam", "must be in [0, 1], got " + lam);
    require(errors, numPpoEpochs >= 1, "numPpoEpochs", "must be >= 1, got " + numPpoEpochs);
    require(errors, numMiniBatches >= 1, "numMiniBatches", "must be >= 1, got " + numMiniBatches);
    require(errors, cliprange > 0 && Double.isFinite(cliprange), "cliprange", "must be > 0, got " + cliprange);
    require(errors, cliprangeValue > 0 && Double.isFinite(cliprangeValue), "cliprangeValue",
        "must be > 0, got " + cliprangeValue);
    require(errors, vfCoef >= 0 && Double.isFinite(vfCoef), "vfCoef", "must be finite and >= 0, got " + vfCoef);
    require(errors, valueInit != null, "valueInit", "must be set (reward or sft)");
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  /**
   * The settings the reference study ran TRL with: {@code klCoef} 0.3 with k3, {@code missingEosPenalty} 1.0,
   * 3 PPO epochs of 1 mini-batch, clip ranges 0.2, {@code vfCoef} 0.1, γ 1, λ 0.95, temperature 0.7, TRL's
   * {@code response_length} 53, the value model from the reward model.
   */
  public static PpoConfig defaults(int stopTokenId) {
    return new PpoConfig(53, 0.7, 0, stopTokenId, 1.0, 0.3, KlEstimator.K3, false, 1.0, 0.95, 3, 1, 0.2, 0.2, 0.1,
        ValueInit.REWARD);
  }

  public PpoConfig withResponseLength(int length) {
    return new PpoConfig(length, temperature, topK, stopTokenId, missingEosPenalty, klCoef, klEstimator,
        whitenRewards, gamma, lam, numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, valueInit, valueLora);
  }

  public PpoConfig withKl(double coef, KlEstimator estimator) {
    return new PpoConfig(responseLength, temperature, topK, stopTokenId, missingEosPenalty, coef, estimator,
        whitenRewards, gamma, lam, numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, valueInit, valueLora);
  }

  public PpoConfig withUpdates(int epochs, int miniBatches) {
    return new PpoConfig(responseLength, temperature, topK, stopTokenId, missingEosPenalty, klCoef, klEstimator,
        whitenRewards, gamma, lam, epochs, miniBatches, cliprange, cliprangeValue, vfCoef, valueInit, valueLora);
  }

  public PpoConfig withWhitenRewards(boolean whiten) {
    return new PpoConfig(responseLength, temperature, topK, stopTokenId, missingEosPenalty, klCoef, klEstimator,
        whiten, gamma, lam, numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, valueInit, valueLora);
  }

  public PpoConfig withValueInit(ValueInit init) {
    return new PpoConfig(responseLength, temperature, topK, stopTokenId, missingEosPenalty, klCoef, klEstimator,
        whitenRewards, gamma, lam, numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, init, valueLora);
  }

  public PpoConfig withValueLora(LoraConfig lora) {
    return new PpoConfig(responseLength, temperature, topK, stopTokenId, missingEosPenalty, klCoef, klEstimator,
        whitenRewards, gamma, lam, numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, valueInit, lora);
  }

  /** The score after the missing-EOS penalty: a response that did not end loses {@code missingEosPenalty}. */
  public double penalisedScore(double score, boolean ended) {
    return ended || missingEosPenalty == null ? score : score - missingEosPenalty;
  }

  private static void require(List<String> errors, boolean ok, String field, String message) {
    if (!ok) {
      errors.add("ppo." + field + ": " + message);
    }
  }
}
