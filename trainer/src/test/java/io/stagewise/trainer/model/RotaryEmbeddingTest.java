package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.precision.Precision;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {

  private static final int DIM = 8;

  @Test
  void queryKeyScoresDependOnlyOnRelativePosition() {
    float[] q = gaussian(1);
    float[] k = gaussian(2);
    float base = score(q, k, 3, 1);
    assertEquals(base, score(q, k, 10, 8), 1e-4f);
    assertEquals(base, score(q, k, 102, 100), 1e-4f);
    assertTrue(Math.abs(base - score(q, k, 3, 2)) > 1e-3f, "a different distance must change the score");
    float[] plain = rotated(q, k, 0, 0);
    // at position 0 nothing rotates
    assertEquals(dot(q, k), dot(plain, 0, plain, DIM), 1e-5f);
  }

  private static float score(float[] q, float[] k, long queryPosition, long keyPosition) {
    float[] r = rotated(q, k, queryPosition, keyPosition);
    return dot(r, 0, r, DIM);
  }

  /** q rotated to queryPosition followed by k rotated to keyPosition. */
  private static float[] rotated(float[] q, float[] k, long queryPosition, long keyPosition) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ForwardPass pass = new ForwardPass(new ParameterStore(manager, false), Precision.FP32, manager, false, 0f, 2, 0,
          new long[][] {{queryPosition, keyPosition}}, null);
      float[] both = new float[2 * DIM];
      System.arraycopy(q, 0, both, 0, DIM);
      System.arraycopy(k, 0, both, DIM, DIM);
      return new RotaryEmbedding(pass, DIM).rotate(manager.create(both, new Shape(1, 2, 1, DIM))).toFloatArray();
    }
  }

  private static float dot(float[] a, float[] b) {
    return dot(a, 0, b, 0);
  }

  private static float dot(float[] a, int aFrom, float[] b, int bFrom) {
    float sum = 0f;
    for (int i = 0; i < DIM; i++) {
      sum += a[aFrom + i] * b[bFrom + i];
    }
    return sum;
  }

  private static float[] gaussian(long seed) {
    Random random = new Random(seed);
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
