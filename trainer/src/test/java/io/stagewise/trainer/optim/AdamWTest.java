package io.stagewise.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

  private static final AdamWConfig CONFIG = new AdamWConfig(0.9, 0.95, 1e-8, 0.1);

  @Test
  void matchesAHandComputationWithDecoupledDecayAndBiasCorrection() {
    double[] w = {0.5, -1.5};
    double[][] grads = {{0.2, -0.4}, {-0.1, 0.3}};
    double[] lrs = {1e-2, 5e-3};
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray weight = manager.create(new float[] {0.5f, -1.5f});
      NDArray bias = manager.create(new float[] {0.5f, -1.5f});
      try (AdamW adamW = new AdamW(CONFIG, List.of(new TrainableParameter("w", weight, true),
          new TrainableParameter("b", bias, false)), manager)) {
        for (int t = 0; t < 2; t++) {
          NDArray g = manager.create(new float[] {(float) grads[t][0], (float) grads[t][1]});
          adamW.update(List.of(g, g), lrs[t]);
        }
        assertArrayEquals(toFloat(expected(w, grads, lrs, 0.1)), weight.toFloatArray(), 1e-6f);
        assertArrayEquals(toFloat(expected(w, grads, lrs, 0)), bias.toFloatArray(), 1e-6f);
        assertEquals(2, adamW.step());
      }
    }
  }

  @Test
  void eachParameterOfTheFlatStateGetsItsOwnUpdate() {
    double[] matrix = {0.1, -0.2, 0.3, -0.4, 0.5, -0.6};
    double[] vector = {1.0, -1.0, 2.0, -2.0};
    double[][] matrixGrads = {{0.2, -0.1, 0.05, 0.3, -0.25, 0.1}, {-0.3, 0.2, 0.1, -0.05, 0.15, 0.4}};
    double[][] vectorGrads = {{0.5, -0.5, 0.25, 1.0}, {-0.2, 0.1, -0.4, 0.3}};
    double[] lrs = {1e-2, 5e-3};
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w = manager.create(toFloat(matrix), new Shape(2, 3));
      NDArray b = manager.create(toFloat(vector));
      try (AdamW adamW = new AdamW(CONFIG, List.of(new TrainableParameter("w", w, true),
          new TrainableParameter("b", b, false)), manager)) {
        for (int t = 0; t < 2; t++) {
          NDArray gw = manager.create(toFloat(matrixGrads[t]), new Shape(2, 3));
          NDArray gb = manager.create(toFloat(vectorGrads[t]));
          adamW.update(List.of(gw, gb), lrs[t]);
        }
        assertArrayEquals(toFloat(expected(matrix, matrixGrads, lrs, 0.1)), w.toFloatArray(), 1e-6f);
        assertArrayEquals(toFloat(expected(vector, vectorGrads, lrs, 0)), b.toFloatArray(), 1e-6f);
        assertEquals(new Shape(2, 3), adamW.moments().get("m:w").getShape());
        assertEquals(new Shape(4), adamW.moments().get("v:b").getShape());
      }
    }
  }

  @Test
  void restoredStateContinuesBitForBit() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.create(new float[] {1f, 2f, 3f});
      NDArray b = manager.create(new float[] {1f, 2f, 3f});
      NDArray g1 = manager.create(new float[] {0.1f, -0.2f, 0.3f});
      NDArray g2 = manager.create(new float[] {-0.3f, 0.1f, 0.2f});
      try (AdamW first = new AdamW(CONFIG, List.of(new TrainableParameter("p", a, true)), manager);
          AdamW second = new AdamW(CONFIG, List.of(new TrainableParameter("p", b, true)), manager)) {
        first.update(List.of(g1), 1e-2);
        second.update(List.of(g1), 1e-2);
        Map<String, NDArray> saved = first.moments();
        try (AdamW restored = new AdamW(CONFIG, List.of(new TrainableParameter("p", b, true)), manager)) {
          restored.restore(saved, first.step(), "test");
          first.update(List.of(g2), 1e-2);
          restored.update(List.of(g2), 1e-2);
        }
        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f);
      }
    }
  }

  @Test
  void restoreRejectsMissingOrMisshapenState() {
    try (NDManager manager = NDManager.newBaseManager();
        AdamW adamW = new AdamW(CONFIG, List.of(new TrainableParameter("p", manager.zeros(
            new Shape(2)), true)), manager)) {
      assertThrows(IllegalArgumentException.class, () -> adamW.restore(Map.of(), 1, "x"));
      NDArray wrong = manager.zeros(new Shape(3));
      assertThrows(IllegalArgumentException.class,
          () -> adamW.restore(Map.of("m:p", wrong, "v:p", wrong), 1, "x"));
    }
  }

  /** PyTorch's AdamW, in double precision. */
  private static double[] expected(double[] start, double[][] grads, double[] lrs, double decay) {
    double[] w = start.clone();
    double[] m = new double[w.length];
    double[] v = new double[w.length];
    for (int t = 1; t <= grads.length; t++) {
      double lr = lrs[t - 1];
      for (int i = 0; i < w.length; i++) {
        double g = grads[t - 1][i];
        w[i] *= 1 - lr * decay;
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.95 * v[i] + 0.05 * g * g;
        double mHat = m[i] / (1 - Math.pow(0.9, t));
        double vHat = v[i] / (1 - Math.pow(0.95, t));
        w[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
      }
    }
    return w;
  }

  private static float[] toFloat(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
