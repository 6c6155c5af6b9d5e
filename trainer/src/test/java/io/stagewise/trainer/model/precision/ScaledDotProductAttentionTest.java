package io.stagewise.trainer.model.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libtorch's fused attention through {@link Precision#attention}: the function of the materialised softmax
 * attention, forward and gradients, and a backward that repeats bit for bit whatever the intra-op thread count
 * (the CPU flash kernel splits its backward by batch row and head, each owning its gradient rows).
 */
class ScaledDotProductAttentionTest {

  private static final int B = 3;
  private static final int H = 4;
  private static final int T = 40;
  private static final int D = 16;
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
    manager.getEngine().setRandomSeed(3);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /**
   * Outputs and gradients within 1e-5 of the largest (at least 1): the two sum in another order. The padding
   * leaves every query a visible key: a query whose keys are all masked (a padding position, never used) gets
   * the mean over every key at the same mask level, which the causal flag and an additive causal bias set apart.
   */
  @Test
  void fp32EqualsMaterialisedAttentionWithTheCausalFlagOrAMask() {
    NDArray[] qkv = inputs();
    NDArray causal = causalBias(T);
    NDArray padding = manager.zeros(new Shape(B, 1, 1, T));
    padding.set(new ai.djl.ndarray.index.NDIndex("0, :, :, 1:5"), -1e30f);
    float[][] expected = outputAndGradients(qkv, x -> materialised(x, causal.add(padding)));
    float[][] flagged = outputAndGradients(qkv, x -> Precision.FP32.attention(x[0], x[1], x[2], padding, true));
    float[][] masked = outputAndGradients(qkv,
        x -> Precision.FP32.attention(x[0], x[1], x[2], causal.add(padding), false));
    for (int i = 0; i < expected.length; i++) {
      float tolerance = 1e-5f * Math.max(1f, maxAbs(expected[i]));
      assertArrayEquals(expected[i], flagged[i], tolerance, "causal flag, output/gradient " + i);
      assertArrayEquals(expected[i], masked[i], tolerance, "causal mask, output/gradient " + i);
    }
  }

  @Test
  void bf16TakesFp32AndReturnsFp32CloseToFp32() {
    NDArray[] qkv = inputs();
    float[][] fp32 = outputAndGradients(qkv, x -> Precision.FP32.attention(x[0], x[1], x[2], null, true));
    float[][] bf16 = outputAndGradients(qkv, x -> {
      NDArray out = Precision.BF16.attention(x[0], x[1], x[2], null, true);
      assertEquals(DataType.FLOAT32, out.getDataType());
      return out;
    });
    for (int i = 0; i < fp32.length; i++) {
      // bf16 keeps 8 mantissa bits: ~0.4 % of the largest value per rounding (measured: 0.4-1 %).
      assertArrayEquals(fp32[i], bf16[i], 0.03f * Math.max(1f, maxAbs(fp32[i])), "output/gradient " + i);
    }
  }

  @Test
  void backwardRepeatsBitForBitAtOneAndTwoThreads() {
    NDArray[] qkv = inputs();
    Function<NDArray[], NDArray> fused = x -> Precision.FP32.attention(x[0], x[1], x[2], null, true);
    int threads = JniUtils.getNumThreads();
    try {
      JniUtils.setNumThreads(1);
      float[][] one = outputAndGradients(qkv, fused);
      JniUtils.setNumThreads(2);
      float[][] two = outputAndGradients(qkv, fused);
      float[][] again = outputAndGradients(qkv, fused);
      for (int i = 0; i < one.length; i++) {
        assertArrayEquals(one[i], two[i], 0f, "1 vs 2 threads, output/gradient " + i);
        assertArrayEquals(two[i], again[i], 0f, "a repeat, output/gradient " + i);
      }
    } finally {
      JniUtils.setNumThreads(threads);
    }
  }

  /** q (scaled by 1/√d), k, v: (B, H, T, D). */
  private static NDArray[] inputs() {
    return new NDArray[] {manager.randomNormal(new Shape(B, H, T, D)).div((float) Math.sqrt(D)),
        manager.randomNormal(new Shape(B, H, T, D)), manager.randomNormal(new Shape(B, H, T, D))};
  }

  private static NDArray materialised(NDArray[] qkv, NDArray bias) {
    return qkv[0].matMul(qkv[1].swapAxes(2, 3)).add(bias).softmax(3).matMul(qkv[2]);
  }

  private static NDArray causalBias(int t) {
    float[] bias = new float[t * t];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        bias[i * t + j] = -1e30f;
      }
    }
    return manager.create(bias, new Shape(t, t));
  }

  /** The output and the gradients of q, k and v for the loss Σ output · w, w fixed. */
  private static float[][] outputAndGradients(NDArray[] qkv, Function<NDArray[], NDArray> attention) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray[] x = new NDArray[3];
      for (int i = 0; i < 3; i++) {
        x[i] = qkv[i].duplicate();
        x[i].attach(scope);
        x[i].setRequiresGradient(true);
      }
      NDArray weights = scope.arange((float) (B * H * T * D)).reshape(B, H, T, D).mod(7f).sub(3f);
      float[] out;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray y = attention.apply(x);
        out = y.toFloatArray();
        collector.backward(y.mul(weights).sum());
      }
      return new float[][] {out, x[0].getGradient().toFloatArray(), x[1].getGradient().toFloatArray(),
          x[2].getGradient().toFloatArray()};
    }
  }

  private static float maxAbs(float[] values) {
    float max = 0f;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
