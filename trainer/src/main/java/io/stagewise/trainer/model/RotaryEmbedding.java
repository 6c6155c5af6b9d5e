package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding (RoFormer), half-split layout: dimension i of the first half and dimension i
 * of the second half rotate together by {@code position × base^(−2i/d)}. Rotating queries and keys makes
 * their dot product depend only on the distance between their positions.
 */
final class RotaryEmbedding {

  private static final double BASE = 10_000.0;

  private final NDArray cos;
  private final NDArray sin;

  /** Tables for the pass's positions, shaped (P, T, 1, d/2) to broadcast over (B, T, heads, d/2). */
  RotaryEmbedding(ForwardPass pass, int headDim) {
    int half = headDim / 2;
    long[][] positions = pass.positions;
    int rows = positions.length;
    int steps = positions[0].length;
    float[] cosValues = new float[rows * steps * half];
    float[] sinValues = new float[rows * steps * half];
    // Every forward builds these tables on the host: take the powers out of the (row, position) loops.
    double[] frequencies = new double[half];
    for (int i = 0; i < half; i++) {
      frequencies[i] = Math.pow(BASE, -2.0 * i / headDim);
    }
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < steps; t++) {
        for (int i = 0; i < half; i++) {
          double angle = positions[r][t] * frequencies[i];
          int at = (r * steps + t) * half + i;
          cosValues[at] = (float) Math.cos(angle);
          sinValues[at] = (float) Math.sin(angle);
        }
      }
    }
    Shape shape = new Shape(rows, steps, 1, half);
    this.cos = pass.manager.create(cosValues, shape);
    this.sin = pass.manager.create(sinValues, shape);
  }

  /** Rotates x of shape (B, T, heads, headDim). */
  NDArray rotate(NDArray x) {
    NDList halves = x.split(2, 3);
    NDArray first = halves.get(0);
    NDArray second = halves.get(1);
    return first.mul(cos).sub(second.mul(sin)).concat(second.mul(cos).add(first.mul(sin)), 3);
  }
}
