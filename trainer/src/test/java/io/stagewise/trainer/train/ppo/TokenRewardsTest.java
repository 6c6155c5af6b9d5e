package io.stagewise.trainer.train.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TokenRewardsTest {

  private static final int END = 2;

  @Test
  void kOneAndKThreeEstimators() {
    // logr = log π_ref − log π = −0.7 − (−1.2) = 0.5
    assertEquals(-0.5, KlEstimator.K1.perToken(-1.2, -0.7), 1e-12);
    assertEquals(Math.exp(0.5) - 1 - 0.5, KlEstimator.K3.perToken(-1.2, -0.7), 1e-12);
    assertEquals(0, KlEstimator.K3.perToken(-0.3, -0.3), 0, "no divergence where the models agree");
    assertEquals(Math.exp(-0.4) - 1 + 0.4, KlEstimator.K3.perToken(-0.1, -0.5), 1e-12);
    assertEquals(KlEstimator.K3, KlEstimator.fromName(" K3 "));
    assertThrows(IllegalArgumentException.class, () -> KlEstimator.fromName("k2"));
  }

  @Test
  void klPenaltyAtEveryTokenAndTheScoreAtTheLast() {
    TokenRewards rewards = TokenRewards.of(rollout(), config(0.3, KlEstimator.K1, 1.0, false));
    double kl00 = -0.5 - -0.9; // k1 = log π − log π_ref
    double kl01 = -0.2 - -0.1;
    assertArrayEquals(new double[] {-0.3 * kl00, -0.3 * kl01 + 2.0}, rewards.rewards()[0], 1e-6);
    assertEquals(3, rewards.rewards()[1].length);
    assertEquals(-0.3 * rewards.kl()[1][2] + (1.5 - 1.0), rewards.rewards()[1][2], 1e-6,
        "the response without END loses missingEosPenalty at its last token");
    assertArrayEquals(new double[] {2.0, 0.5}, rewards.scores(), 1e-6);
    assertEquals(1.25, rewards.meanScore(), 1e-6);
    assertEquals((kl00 + kl01 + rewards.kl()[1][0] + rewards.kl()[1][1] + rewards.kl()[1][2]) / 2,
        rewards.meanKl(), 1e-6);
    assertEquals(-0.3 * rewards.meanKl(), rewards.meanNonScore(), 1e-9);
  }

  @Test
  void withoutAPenaltyTheUnendedScoreStands() {
    TokenRewards rewards = TokenRewards.of(rollout(), config(0.3, KlEstimator.K3, null, false));
    assertArrayEquals(new double[] {2.0, 1.5}, rewards.scores(), 1e-6);
  }

  @Test
  void whitenedRewardsKeepTheirMeanAndHaveUnitVariance() {
    TokenRewards plain = TokenRewards.of(rollout(), config(0.3, KlEstimator.K3, 1.0, false));
    TokenRewards whitened = TokenRewards.of(rollout(), config(0.3, KlEstimator.K3, 1.0, true));
    double mean = Whitening.mean(plain.rewards());
    double scale = 1 / Math.sqrt(Whitening.variance(plain.rewards()) + 1e-8);
    for (int i = 0; i < 2; i++) {
      for (int t = 0; t < plain.rewards()[i].length; t++) {
        assertEquals((plain.rewards()[i][t] - mean) * scale + mean, whitened.rewards()[i][t], 1e-12);
      }
    }
    assertEquals(mean, Whitening.mean(whitened.rewards()), 1e-9);
    assertEquals(1, Whitening.variance(whitened.rewards()), 1e-6);
  }

  @Test
  void whiteningUsesTheUnbiasedVarianceOverRealTokensOnly() {
    double[][] rows = {{1, 2}, {3}};
    assertEquals(2, Whitening.mean(rows), 1e-12);
    assertEquals(1, Whitening.variance(rows), 1e-12);
    double s = 1 / Math.sqrt(1 + 1e-8);
    assertArrayEquals(new double[] {-s, 0}, Whitening.whiten(rows, true)[0], 1e-12);
    assertArrayEquals(new double[] {s}, Whitening.whiten(rows, true)[1], 1e-12);
    assertArrayEquals(new double[] {2 - s, 2}, Whitening.whiten(rows, false)[0], 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Whitening.variance(new double[][] {{1}}));
  }

  /** Row 0 ends with END after 2 tokens; row 1 fills responseLength 3 without it. */
  private static Rollout rollout() {
    return new Rollout(new int[][] {{1, 9}, {1, 8, 7}}, new int[][] {{5, END}, {6, 7, 8}},
        new float[][] {{-0.5f, -0.2f}, {-1.0f, -0.4f, -2.0f}},
        new float[][] {{-0.9f, -0.1f}, {-1.5f, -0.4f, -1.0f}},
        new float[][] {{0.1f, 0.2f}, {0.3f, 0.4f, 0.5f}}, new float[] {2.0f, 1.5f});
  }

  private static PpoConfig config(double klCoef, KlEstimator estimator, Double penalty, boolean whiten) {
    return new PpoConfig(3, 0.7, 0, END, penalty, klCoef, estimator, whiten, 1.0, 0.95, 3, 1, 0.2, 0.2, 0.1,
        ValueInit.REWARD);
  }
}
