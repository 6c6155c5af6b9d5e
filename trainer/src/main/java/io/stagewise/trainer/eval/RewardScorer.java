package io.stagewise.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.reward.RewardObjective;
import java.util.Arrays;

/**
 * Scores (prompt, response) token sequences with a reward model exactly as {@link RewardObjective} trained it:
 * the value at the last token of prompt + response. A sequence longer than the context keeps its last tokens.
 */
public final class RewardScorer {

  private final GptModel model;
  private final int batchSize;

  public RewardScorer(GptModel model, int batchSize) {
    if (model.config().head() != Head.SCALAR) {
      throw new IllegalArgumentException("scoring needs a reward model (head=scalar), got head="
          + model.config().head().specName());
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    this.model = model;
    this.batchSize = batchSize;
  }

  /** One score per row of {@code prompts[i] ++ responses[i]}. */
  public float[] score(int[][] prompts, int[][] responses, NDManager manager) {
    if (prompts.length != responses.length) {
      throw new IllegalArgumentException(prompts.length + " prompts but " + responses.length + " responses");
    }
    float[] scores = new float[prompts.length];
    for (int from = 0; from < prompts.length; from += batchSize) {
      int to = Math.min(prompts.length, from + batchSize);
      float[] batch = scoreBatch(prompts, responses, from, to, manager);
      System.arraycopy(batch, 0, scores, from, batch.length);
    }
    return scores;
  }

  private float[] scoreBatch(int[][] prompts, int[][] responses, int from, int to, NDManager manager) {
    int context = model.config().contextLength();
    int[][] rows = new int[to - from][];
    int width = 1;
    for (int i = from; i < to; i++) {
      int[] whole = concat(prompts[i], responses[i]);
      rows[i - from] = Arrays.copyOfRange(whole, Math.max(0, whole.length - context), whole.length);
      width = Math.max(width, rows[i - from].length);
    }
    int[] tokens = new int[rows.length * width];
    long[] last = new long[rows.length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, tokens, r * width, rows[r].length);
      last[r] = rows[r].length - 1;
    }
    // Right padding (id 0) sits after each row's last token, where causal attention keeps it from mattering.
    try (NDManager local = manager.newSubManager()) {
      NDArray input = local.create(tokens, new Shape(rows.length, width));
      NDList out = model.forward(new ParameterStore(local, false), new NDList(input), false);
      return RewardObjective.atLastToken(out.get(0), local.create(last)).toFloatArray();
    }
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
