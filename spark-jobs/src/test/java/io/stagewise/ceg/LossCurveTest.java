package io.stagewise.ceg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LossCurveTest {

  @Test
  void readsEvalLinesAndRebuildsTrainingSecondsFromThroughput() {
    List<String> lines = List.of(
        "{\"kind\":\"train\",\"step\":10,\"tokens\":1000,\"flops\":5.0E9,\"loss\":4.0,\"lr\":0.001,"
            + "\"grad_norm\":1.0,\"tokens_per_s\":500.0}",
        "{\"kind\":\"eval\",\"step\":10,\"tokens\":1000,\"flops\":5.0E9,\"loss\":3.5,\"targets\":100}",
        "{\"kind\":\"train\",\"step\":20,\"tokens\":2000,\"flops\":1.0E10,\"loss\":3.0,\"lr\":0.001,"
            + "\"grad_norm\":1.0,\"tokens_per_s\":250.0}",
        "",
        "{\"kind\":\"eval\",\"step\":20,\"tokens\":2000,\"flops\":1.0E10,\"loss\":2.5,\"targets\":100}");
    LossCurve curve = LossCurve.fromMetrics(lines, "run/metrics.jsonl");
    assertEquals(List.of(new Checkpoint(10, 5e9, 2.0, 3.5), new Checkpoint(20, 1e10, 6.0, 2.5)), curve.points());
    assertTrue(curve.timed());
  }

  @Test
  void withoutThroughputTheCurveHasNoSeconds() {
    LossCurve curve = LossCurve.fromMetrics(List.of(
        "{\"kind\":\"eval\",\"step\":10,\"tokens\":1000,\"flops\":5.0E9,\"loss\":3.5}"), "m.jsonl");
    assertFalse(curve.timed());
    assertTrue(Double.isNaN(curve.points().get(0).seconds()));
  }

  @Test
  void badLinesAreNamed() {
    IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class,
        () -> LossCurve.fromMetrics(List.of("{\"kind\":\"eval\"", "x"), "runs/a/metrics.jsonl"));
    assertTrue(notJson.getMessage().startsWith("runs/a/metrics.jsonl line 1"), notJson.getMessage());
    IllegalArgumentException noLoss = assertThrows(IllegalArgumentException.class,
        () -> LossCurve.fromMetrics(List.of("{\"kind\":\"eval\",\"step\":5,\"flops\":1e9}"), "m.jsonl"));
    assertTrue(noLoss.getMessage().contains("loss"), noLoss.getMessage());
    IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class, () -> LossCurve.fromMetrics(
        List.of("{\"kind\":\"eval\",\"step\":5,\"flops\":1e9,\"loss\":2}",
            "{\"kind\":\"eval\",\"step\":5,\"flops\":2e9,\"loss\":1}"), "m.jsonl"));
    assertTrue(backwards.getMessage().contains("steps must increase"), backwards.getMessage());
  }

  @Test
  void logLogSmoothingKeepsAPowerLawExactlyAndDampsNoiseUpToTheLastPoint() {
    long[] steps = {100, 200, 300, 400, 500, 600, 700, 800};
    double[] law = new double[steps.length];
    double[] noisy = new double[steps.length];
    for (int i = 0; i < steps.length; i++) {
      law[i] = 30 * Math.pow(steps[i], -0.4);
      noisy[i] = law[i] * (i % 2 == 0 ? 1.03 : 0.97);
    }
    assertArrayEquals(law, Smoothing.logLogLinear(5).apply(steps, law), 1e-12);
    double[] smoothed = Smoothing.logLogLinear(5).apply(steps, noisy);
    for (int i = 0; i < steps.length; i++) {
      assertTrue(Math.abs(smoothed[i] / law[i] - 1) < 0.02, "checkpoint " + i + ": " + smoothed[i] + " vs " + law[i]);
    }
    assertArrayEquals(noisy, Smoothing.NONE.apply(steps, noisy), 0);
  }

  @Test
  void theTrailingMeanIsTheReferences() {
    long[] steps = {1, 2, 3, 4, 5};
    double[] v = {1, 2, 3, 4, 10};
    assertArrayEquals(new double[] {1, 1.5, 2, 2.5, 4}, Smoothing.REFERENCE.apply(steps, v), 1e-12);
    assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5, 7}, Smoothing.trailingMean(2).apply(steps, v), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Smoothing.trailingMean(0));
  }

  @Test
  void firstReachingInterpolatesInLogLogSpaceOnTheEnvelope() {
    // A pure power law is a straight line in log-log space: interpolation between checkpoints is exact.
    Curves.Law law = new Curves.Law(0, 100, 0.5);
    LossCurve curve = Curves.sampled(law, 1e4, 10, 4, 1); // C = 1e4 .. 1e7, L = 1 .. 0.0316
    double between = 0.5; // reached at C = 4e4, between the first two checkpoints
    assertEquals(law.compute(between), curve.firstReaching(between, Axis.FLOPS), 1e-6 * law.compute(between));
    assertEquals(1e4, curve.firstReaching(5.0, Axis.FLOPS)); // already below at the first checkpoint
    assertTrue(Double.isNaN(curve.firstReaching(0.01, Axis.FLOPS)));

    // A bump: once reached, a loss stays reached (the running minimum).
    LossCurve bumpy = Curves.ofLosses(4, 3, 3.5, 2);
    assertArrayEquals(new double[] {4, 3, 3, 2}, bumpy.envelope().losses(), 0);
    double t = Math.log(3.2 / 4) / Math.log(3.0 / 4); // log-log between (100, 4) and (200, 3)
    assertEquals(100 * Math.pow(2, t), bumpy.firstReaching(3.2, Axis.STEPS), 1e-9);
    assertEquals(200, bumpy.firstReaching(3.0, Axis.STEPS), 1e-9);
  }

  @Test
  void theSeedMeanAveragesPointwiseAndRefusesMismatchedEvaluations() {
    LossCurve a = Curves.ofLosses(4, 2);
    LossCurve b = Curves.ofLosses(2, 1);
    assertArrayEquals(new double[] {3, 1.5}, LossCurve.mean(List.of(a, b)).losses(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> LossCurve.mean(List.of(a, Curves.ofLosses(4, 3, 2))));
  }
}
