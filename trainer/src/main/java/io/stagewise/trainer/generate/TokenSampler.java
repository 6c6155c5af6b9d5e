package io.stagewise.trainer.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: argmax when greedy, otherwise Gumbel-max sampling —
 * argmax(logits / T + G) with G ~ Gumbel(0, 1) draws a token with probability softmax(logits / T) —
 * restricted to the top k logits when k > 0. Runs on the host: one row of logits is small next to a
 * forward pass, and a seeded Java generator makes sampling reproducible on every engine and device.
 */
final class TokenSampler {

  private final GenerationConfig config;
  private final SplittableRandom random;

  TokenSampler(GenerationConfig config) {
    this.config = config;
    this.random = new SplittableRandom(config.seed());
  }

  int next(float[] logits, int offset, int vocab) {
    return next(logits, offset, vocab, random);
  }

  /** As {@link #next(float[], int, int)} with the noise drawn from {@code noise} instead of the shared stream. */
  int next(float[] logits, int offset, int vocab, SplittableRandom noise) {
    if (config.greedy()) {
      return argmax(logits, offset, vocab, Float.NEGATIVE_INFINITY, null);
    }
    float floor = config.topK() > 0 && config.topK() < vocab
        ? kthLargest(logits, offset, vocab, config.topK()) : Float.NEGATIVE_INFINITY;
    double[] noisy = new double[vocab];
    for (int v = 0; v < vocab; v++) {
      double uniform = Math.max(noise.nextDouble(), Double.MIN_VALUE);
      noisy[v] = logits[offset + v] / config.temperature() - Math.log(-Math.log(uniform));
    }
    return argmax(logits, offset, vocab, floor, noisy);
  }

  /** Index of the largest score among tokens whose logit is at least {@code floor}; first on ties. */
  private static int argmax(float[] logits, int offset, int vocab, float floor, double[] scores) {
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      if (logits[offset + v] < floor) {
        continue;
      }
      double score = scores == null ? logits[offset + v] : scores[v];
      if (best < 0 || score > bestScore) {
        best = v;
        bestScore = score;
      }
    }
    return best;
  }

  private static float kthLargest(float[] logits, int offset, int vocab, int k) {
    float[] row = Arrays.copyOfRange(logits, offset, offset + vocab);
    Arrays.sort(row);
    return row[vocab - k];
  }
}
