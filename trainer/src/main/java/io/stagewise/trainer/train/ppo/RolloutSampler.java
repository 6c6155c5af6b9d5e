package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.generate.GenerationConfig;
import io.stagewise.trainer.generate.Generator;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.train.FrozenReference;

/**
 * PPO's rollout phase for a run of consecutive prompts of an iteration's batch: sample a response to each with
 * the KV cache (temperature, top-k, at most {@code responseLength} tokens, stopping after the end token), then
 * run the policy, the frozen reference and the value model over prompt + response for the per-token
 * log-probabilities and values, and score the responses. Runs outside any gradient recording.
 *
 * <p>Prompt {@code index} of the batch samples from its own stream ({@link SamplingStreams#sample}), so its
 * response does not depend on which worker rolls it out or on the other rows of its chunk.
 */
public final class RolloutSampler {

  private final GptModel policy;
  private final FrozenReference reference;
  private final GptModel value;
  private final ResponseScore reward;
  private final PpoConfig config;
  private final long seed;

  public RolloutSampler(GptModel policy, FrozenReference reference, GptModel value, ResponseScore reward,
      PpoConfig config, long seed) {
    this.policy = policy;
    this.reference = reference;
    this.value = value;
    this.reward = reward;
    this.config = config;
    this.seed = seed;
  }

  /** {@link #generate} then {@link #score}: the whole rollout of these rows. */
  public Rollout sample(int[][] prompts, int firstIndex, long iteration, NDManager manager) {
    return score(prompts, generate(prompts, firstIndex, iteration, manager), manager);
  }

  /**
   * Samples a response to each of {@code prompts}, which are prompts {@code firstIndex, firstIndex + 1, …} of the
   * batch of {@code iteration}, as one generation batch.
   */
  public int[][] generate(int[][] prompts, int firstIndex, long iteration, NDManager manager) {
    long[] seeds = new long[prompts.length];
    for (int i = 0; i < prompts.length; i++) {
      seeds[i] = SamplingStreams.sample(seed, iteration, firstIndex + i);
    }
    GenerationConfig generation = GenerationConfig.sampling(config.responseLength(), (float) config.temperature(),
        config.topK(), config.stopTokenId(), seed);
    return new Generator(policy, generation).generate(manager, prompts, seeds);
  }

  /** The policy's, reference's and value model's forwards over prompt + response, and the reward's scores. */
  public Rollout score(int[][] prompts, int[][] responses, NDManager manager) {
    PackedResponses packed = new PackedResponses(prompts, responses);
    float temperature = (float) config.temperature();
    try (NDManager local = manager.newSubManager()) {
      ParameterStore store = new ParameterStore(local, false);
      float[][] logProbs = packed.perResponse(
          packed.logProbs(packed.forward(policy, store, local), temperature, local).toFloatArray(), responses);
      float[][] refLogProbs = packed.perResponse(
          packed.logProbs(reference.run(model -> packed.forward(model, store, local)), temperature, local).toFloatArray(), responses);
      NDArray values = packed.values(packed.forward(value, store, local));
      float[][] perTokenValues = packed.perResponse(values.toFloatArray(), responses);
      float[] scores = reward.score(prompts, responses, local);
      return new Rollout(prompts, responses, logProbs, refLogProbs, perTokenValues, scores);
    }
  }

  /**
   * FLOPs of {@link #sample} on these rows: generation, then the policy, reference, value and reward forwards.
   * Cached generation multiplies what one forward pass over the final rows does (the counter counts the full
   * attention square either way), so it counts as one.
   */
  public double flops(int[][] prompts, int[][] responses) {
    PackedResponses packed = new PackedResponses(prompts, responses);
    return 3 * packed.forwardFlops(policy.config()) + packed.forwardFlops(value.config())
        + reward.flops(prompts, responses);
  }
}
