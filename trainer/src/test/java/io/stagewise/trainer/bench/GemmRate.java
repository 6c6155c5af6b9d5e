package io.stagewise.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The fp32 matrix-multiply rate of the engine the trainer runs on (libtorch through DJL), with the threads set
 * by the caller: the best of repeated (m × k)·(k × n) products, each timed for at least {@code minSeconds}.
 */
final class GemmRate {

  private GemmRate() {
  }

  /** FLOP/s of {@code a(m × k) · b(k × n)} at 2·m·k·n FLOPs per product. */
  static double measure(long m, long k, long n, double minSeconds) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.randomNormal(new Shape(m, k));
      NDArray b = manager.randomNormal(new Shape(k, n));
      a.matMul(b).close(); // first call allocates and picks the kernel
      long reps = 0;
      long start = System.nanoTime();
      double elapsed;
      do {
        a.matMul(b).close();
        reps++;
        elapsed = (System.nanoTime() - start) / 1e9;
      } while (elapsed < minSeconds);
      return 2.0 * m * k * n * reps / elapsed;
    }
  }

  /** The best rate over square products of the given sizes. */
  static double bestSquare(int[] sizes, double minSeconds) {
    double best = 0;
    for (int size : sizes) {
      best = Math.max(best, measure(size, size, size, minSeconds));
    }
    return best;
  }
}
