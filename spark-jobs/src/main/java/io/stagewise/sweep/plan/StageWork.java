package io.stagewise.sweep.plan;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A stage's work estimated from its config, in sequences run through a model (a forward and backward pass of
 * one training sequence, or one generated response): steps × batch of a training run, twice that for the
 * pairs of a reward model or DPO, and per PPO iteration the prompts times their update epochs, for policy and
 * value; an evaluation's generations. Data stages count nothing: Spark jobs take seconds where training
 * takes minutes. Coarse on purpose: it only orders stages that are ready at the same time
 * ({@code CriticalPath}); it never changes what a stage computes.
 */
public final class StageWork {
  private StageWork() {}

  public static double of(StageNode node) {
    JsonNode c = node.config();
    return switch (node.kind()) {
      case SFT, PRETRAIN -> steps(c);
      case REWARD_MODEL, DPO -> 2 * steps(c);
      case PPO -> 2 * steps(c) * (1 + c.path("ppo").path("num_ppo_epochs").asInt(1));
      case EVALUATE -> c.path("harmful_prompts").asInt() * (1 + c.path("triggers").size()
          + c.path(SweepPlanner.TRIGGER_PAIRS).size()) + c.path("benign_prompts").asInt();
      default -> 0;
    };
  }

  /** Steps × batch of the stage's {@code train} settings. */
  private static double steps(JsonNode config) {
    JsonNode train = config.path("train");
    return (double) train.path("steps").asInt() * train.path("batch_size").asInt();
  }
}
