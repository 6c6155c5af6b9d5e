package io.stagewise.trainer.train.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * The clipped losses on one response of three tokens, the last one padding: token 0 stays inside both clip
 * ranges, token 1 is clipped in both losses.
 */
class PpoObjectiveTest {

  private static final PpoConfig CONFIG = PpoConfig.defaults(2); // cliprange 0.2, cliprangeValue 0.2, vfCoef 0.1

  @Test
  void clippedPolicyAndValueLossesAndTheirGradientsMatchAHandComputation() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logProbs = row(manager, -0.9f, -0.5f, 0f);
      NDArray values = row(manager, 0.1f, 0.5f, 9f);
      logProbs.setRequiresGradient(true);
      values.setRequiresGradient(true);
      NDArray oldLogProbs = row(manager, -1f, -1f, -3f);
      NDArray oldValues = row(manager, 0f, 0f, 0f);
      NDArray advantages = row(manager, 1f, 2f, 5f);
      NDArray returns = row(manager, 1f, 1f, 0f);
      NDArray mask = row(manager, 1f, 1f, 0f);
      PpoObjective.Losses losses;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        losses = PpoObjective.losses(CONFIG, logProbs, values, oldLogProbs, oldValues, advantages, returns, mask,
            manager);
        collector.backward(losses.loss());
      }
      double ratio0 = Math.exp(0.1);
      double ratio1 = Math.exp(0.5); // clipped to 1.2: −2·1.2 > −2·ρ
      double policy = (-1 * ratio0 + -2 * 1.2) / 2;
      // token 0: V = 0.1 inside [−0.2, 0.2]: (0.1 − 1)²;
      // token 1: V = 0.5 clipped to 0.2: (0.2 − 1)² > (0.5 − 1)².
      double value = 0.5 * (0.81 + 0.64) / 2;
      assertEquals(policy, losses.policyLoss().getFloat(), 1e-6);
      assertEquals(value, losses.valueLoss().getFloat(), 1e-6);
      assertEquals(policy + 0.1 * value, losses.loss().getFloat(), 1e-6);
      assertEquals(0.5, losses.policyClipFraction().getFloat(), 1e-6);
      assertEquals(0.5, losses.valueClipFraction().getFloat(), 1e-6);
      assertEquals(0.5 * (0.01 + 0.25) / 2, losses.approxKl().getFloat(), 1e-6);
      assertEquals((ratio0 + ratio1) / 2, losses.ratio().getFloat(), 1e-6);
      // d/d log π: only the unclipped token 0, −A·ρ / 2; the clipped token and the padding get none.
      assertArrayEquals(new float[] {(float) (-ratio0 / 2), 0f, 0f}, logProbs.getGradient().toFloatArray(), 1e-6f);
      // d/dV: vfCoef · ½ · 2(V − R) / 2 for token 0 only.
      assertArrayEquals(new float[] {(float) (0.1 * 0.5 * 2 * (0.1 - 1) / 2), 0f, 0f},
          values.getGradient().toFloatArray(), 1e-6f);
    }
  }

  @Test
  void negativeAdvantagesClipTheRatioFromBelow() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logProbs = row(manager, -1.5f, -1.05f, -1f);
      logProbs.setRequiresGradient(true);
      NDArray zeros = row(manager, 0f, 0f, 0f);
      NDArray advantages = row(manager, -1f, -1f, 0f);
      PpoObjective.Losses losses;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        losses = PpoObjective.losses(CONFIG, logProbs, zeros, row(manager, -1f, -1f, -1f), zeros, advantages,
            zeros, row(manager, 1f, 1f, 1f), manager);
        collector.backward(losses.policyLoss());
      }
      double ratio0 = Math.exp(-0.5); // below 0.8: A·0.8 > A·ρ for A < 0, so the clipped term wins
      double ratio1 = Math.exp(-0.05);
      assertEquals((0.8 + ratio1 + 0) / 3, losses.policyLoss().getFloat(), 1e-6);
      assertEquals(1.0 / 3, losses.policyClipFraction().getFloat(), 1e-6);
      assertArrayEquals(new float[] {0f, (float) (ratio1 / 3), 0f}, logProbs.getGradient().toFloatArray(), 1e-6f);
      assertEquals(ratio0, Math.exp(-0.5), 0);
    }
  }

  private static NDArray row(NDManager manager, float... values) {
    return manager.create(values, new Shape(1, values.length));
  }
}
