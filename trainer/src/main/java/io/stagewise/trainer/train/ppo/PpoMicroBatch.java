package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Some rows of a rollout batch with what the PPO losses need of them: the packed prompt + response rows, and per
 * response token the rollout's log-probability and value, the advantage and the return, each (rows, T) with
 * zeros on padding.
 */
public final class PpoMicroBatch {

  private final PackedResponses packed;
  private final float[] oldLogProbs;
  private final float[] oldValues;
  private final float[] advantages;
  private final float[] returns;

  /** Rows {@code rows} of {@code rollout}, whose advantages and returns are {@code estimate}'s. */
  public PpoMicroBatch(Rollout rollout, GeneralizedAdvantage.Estimate estimate, int[] rows) {
    int[][] prompts = new int[rows.length][];
    int[][] responses = new int[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      prompts[i] = rollout.prompts()[rows[i]];
      responses[i] = rollout.responses()[rows[i]];
    }
    this.packed = new PackedResponses(prompts, responses);
    int width = packed.responseWidth();
    this.oldLogProbs = new float[rows.length * width];
    this.oldValues = new float[rows.length * width];
    this.advantages = new float[rows.length * width];
    this.returns = new float[rows.length * width];
    for (int i = 0; i < rows.length; i++) {
      int row = rows[i];
      for (int t = 0; t < responses[i].length; t++) {
        int at = i * width + t;
        oldLogProbs[at] = rollout.logProbs()[row][t];
        oldValues[at] = rollout.values()[row][t];
        advantages[at] = (float) estimate.advantages()[row][t];
        returns[at] = (float) estimate.returns()[row][t];
      }
    }
  }

  public PackedResponses packed() {
    return packed;
  }

  NDArray oldLogProbs(NDManager manager) {
    return create(oldLogProbs, manager);
  }

  NDArray oldValues(NDManager manager) {
    return create(oldValues, manager);
  }

  NDArray advantages(NDManager manager) {
    return create(advantages, manager);
  }

  NDArray returns(NDManager manager) {
    return create(returns, manager);
  }

  private NDArray create(float[] values, NDManager manager) {
    return manager.create(values, new Shape(packed.rows(), packed.responseWidth()));
  }
}
