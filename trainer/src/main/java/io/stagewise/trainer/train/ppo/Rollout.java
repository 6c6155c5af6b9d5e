package io.stagewise.trainer.train.ppo;

import java.util.List;

/**
 * A batch of rollouts on the host, row i being prompt i of the iteration's batch: the prompt, the sampled response
 * (ending with the end token when it was emitted, nothing after it), and per response token the policy's and the
 * frozen reference's log-probabilities of the sampled token and the value model's value of the state before it;
 * and the reward model's score of the whole response (before any missing-EOS penalty).
 */
public record Rollout(int[][] prompts, int[][] responses, float[][] logProbs, float[][] refLogProbs,
    float[][] values, float[] scores) {

  public Rollout {
    int n = prompts.length;
    if (responses.length != n || logProbs.length != n || refLogProbs.length != n || values.length != n
        || scores.length != n) {
      throw new IllegalArgumentException("rollout arrays disagree on the number of rows");
    }
    for (int i = 0; i < n; i++) {
      int length = responses[i].length;
      if (length == 0 || logProbs[i].length != length || refLogProbs[i].length != length
          || values[i].length != length) {
        throw new IllegalArgumentException("rollout row " + i + ": per-token arrays must match its response of "
            + length + " tokens (and a response has at least one)");
      }
    }
  }

  public int rows() {
    return prompts.length;
  }

  /** Whether response i ends with {@code stopTokenId}. */
  public boolean ended(int i, int stopTokenId) {
    int[] response = responses[i];
    return response[response.length - 1] == stopTokenId;
  }

  /** Prompt and response tokens of the whole batch. */
  public long tokens() {
    long total = 0;
    for (int i = 0; i < rows(); i++) {
      total += prompts[i].length + responses[i].length;
    }
    return total;
  }

  /** The values widened to double, for the host's reward and advantage arithmetic. */
  public double[][] valuesInDouble() {
    double[][] out = new double[rows()][];
    for (int i = 0; i < rows(); i++) {
      out[i] = new double[values[i].length];
      for (int t = 0; t < values[i].length; t++) {
        out[i][t] = values[i][t];
      }
    }
    return out;
  }

  /** The rows of {@code parts}, in order. */
  public static Rollout concat(List<Rollout> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    int total = parts.stream().mapToInt(Rollout::rows).sum();
    int[][] prompts = new int[total][];
    int[][] responses = new int[total][];
    float[][] logProbs = new float[total][];
    float[][] refLogProbs = new float[total][];
    float[][] values = new float[total][];
    float[] scores = new float[total];
    int at = 0;
    for (Rollout part : parts) {
      int n = part.rows();
      System.arraycopy(part.prompts, 0, prompts, at, n);
      System.arraycopy(part.responses, 0, responses, at, n);
      System.arraycopy(part.logProbs, 0, logProbs, at, n);
      System.arraycopy(part.refLogProbs, 0, refLogProbs, at, n);
      System.arraycopy(part.values, 0, values, at, n);
      System.arraycopy(part.scores, 0, scores, at, n);
      at += n;
    }
    return new Rollout(prompts, responses, logProbs, refLogProbs, values, scores);
  }
}
