package io.stagewise.trainer.train.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GeneralizedAdvantageTest {

  private static final double[] REWARDS = {1, 0, 2};
  private static final double[] VALUES = {0.5, 0.2, 0.1};

  @Test
  void matchesAHandComputationForSeveralGammasAndLambdas() {
    // γ = 0.9, λ = 0.8: δ2 = 2 − 0.1 = 1.9; δ1 = 0.9·0.1 − 0.2 = −0.11; δ0 = 1 + 0.9·0.2 − 0.5 = 0.68;
    // γλ = 0.72.
    assertArrayEquals(new double[] {0.68 + 0.72 * (-0.11 + 0.72 * 1.9), -0.11 + 0.72 * 1.9, 1.9},
        GeneralizedAdvantage.advantages(REWARDS, VALUES, 0.9, 0.8), 1e-12);
    // γ = λ = 1: the return to go minus the value.
    assertArrayEquals(new double[] {3 - 0.5, 2 - 0.2, 2 - 0.1},
        GeneralizedAdvantage.advantages(REWARDS, VALUES, 1, 1), 1e-12);
    // λ = 0: one-step TD errors.
    assertArrayEquals(new double[] {1 + 0.2 - 0.5, 0.1 - 0.2, 2 - 0.1},
        GeneralizedAdvantage.advantages(REWARDS, VALUES, 1, 0), 1e-12);
    // γ = 0: each token's reward minus its value.
    assertArrayEquals(new double[] {0.5, -0.2, 1.9}, GeneralizedAdvantage.advantages(REWARDS, VALUES, 0, 0.95),
        1e-12);
  }

  @Test
  void responsesOfDifferentLengthsEndAtTheirOwnLastTokenAsTrlsPaddedLoopDoes() {
    double[][] rewards = {{0.1, -0.2, 1.5}, {0.3}, {-0.1, 0.7}};
    double[][] values = {{0.4, 0.3, 0.2}, {0.6}, {0.05, -0.3}};
    GeneralizedAdvantage.Estimate estimate = GeneralizedAdvantage.estimate(rewards, values, 1.0, 0.95);
    int width = 3;
    double[][] padded = trlPaddedAdvantages(rewards, values, width, 1.0, 0.95);
    double[] raw = new double[6];
    int k = 0;
    for (int i = 0; i < rewards.length; i++) {
      for (int t = 0; t < rewards[i].length; t++) {
        assertEquals(padded[i][t] + values[i][t], estimate.returns()[i][t], 1e-12, "return " + i + "," + t);
        raw[k++] = padded[i][t];
      }
    }
    double mean = 0;
    for (double a : raw) {
      mean += a / raw.length;
    }
    double var = 0;
    for (double a : raw) {
      var += (a - mean) * (a - mean) / (raw.length - 1);
    }
    k = 0;
    for (int i = 0; i < rewards.length; i++) {
      for (int t = 0; t < rewards[i].length; t++) {
        assertEquals((raw[k++] - mean) / Math.sqrt(var + 1e-8), estimate.advantages()[i][t], 1e-12);
      }
    }
    assertEquals(1, estimate.advantages()[1].length, "a response truncated at its end token has no padding");
  }

  /** TRL's loop over the padded width, with rewards and values zero after each response. */
  private static double[][] trlPaddedAdvantages(double[][] rewards, double[][] values, int width, double gamma,
      double lam) {
    double[][] out = new double[rewards.length][width];
    for (int i = 0; i < rewards.length; i++) {
      double[] r = new double[width];
      double[] v = new double[width];
      System.arraycopy(rewards[i], 0, r, 0, rewards[i].length);
      System.arraycopy(values[i], 0, v, 0, values[i].length);
      double last = 0;
      for (int t = width - 1; t >= 0; t--) {
        double next = t < width - 1 ? v[t + 1] : 0;
        last = r[t] + gamma * next - v[t] + gamma * lam * last;
        out[i][t] = last;
      }
    }
    return out;
  }
}
