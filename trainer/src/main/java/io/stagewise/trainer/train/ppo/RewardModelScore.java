package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.stagewise.trainer.eval.RewardScorer;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.GptModel;

/**
 * The frozen reward model's score of prompt + response, read at the last response token exactly as the reward
 * model was trained and as evaluations score ({@link RewardScorer}).
 */
public final class RewardModelScore implements ResponseScore {

  private final GptModel model;

  /** Freezes {@code model} for good. */
  public RewardModelScore(GptModel model) {
    for (Parameter p : model.getParameters().values()) {
      p.getArray().setRequiresGradient(false);
    }
    this.model = model;
  }

  @Override
  public float[] score(int[][] prompts, int[][] responses, NDManager manager) {
    return new RewardScorer(model, prompts.length).score(prompts, responses, manager);
  }

  /** One forward pass over the rows, right-padded to the longest (as {@link RewardScorer} batches them). */
  @Override
  public double flops(int[][] prompts, int[][] responses) {
    int longest = 1;
    for (int i = 0; i < prompts.length; i++) {
      longest = Math.max(longest, Math.min(model.config().contextLength(), prompts[i].length + responses[i].length));
    }
    return FlopCounter.forwardFlops(model.config(), prompts.length, longest);
  }
}
