package io.stagewise.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.BiConsumer;
import java.util.function.BinaryOperator;

/**
 * The fp32 matrix-multiply rate of the engine the trainer runs on (libtorch through DJL), with the threads set
 * by the caller: the best of repeated (m × k)·(k × n) products, each timed for at least {@code minSeconds}.
 */
final class GemmRate {

  private GemmRate() {
  }

  /** FLOP/s of {@code a(m × k) · b(k × n)} at 2·m·k·n FLOPs per product. */
  static double measure(long m, long k, long n, double minSeconds) {
    return measure(1, m, k, n, minSeconds, NDArray::matMul);
  }

  /**
   * FLOP/s of {@code product} on a(batch × m × k) and b(batch × k × n) (two-dimensional when batch is 1), at
   * 2·batch·m·k·n FLOPs per product.
   */
  static double measure(long batch, long m, long k, long n, double minSeconds,
      BinaryOperator<NDArray> product) {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.randomNormal(batch == 1 ? new Shape(m, k) : new Shape(batch, m, k));
      NDArray b = manager.randomNormal(batch == 1 ? new Shape(k, n) : new Shape(batch, k, n));
      product.apply(a, b).close(); // first call allocates and picks the kernel
      long reps = 0;
      long start = System.nanoTime();
      double elapsed;
      do {
        product.apply(a, b).close(); // libtorch's CPU operators return when their result is complete
        reps++;
        elapsed = (System.nanoTime() - start) / 1e9;
      } while (elapsed < minSeconds);
      return 2.0 * batch * m * k * n * reps / elapsed;
    }
  }

  /**
   * FLOP/s over one training step's products: the step's FLOPs over the summed time of its products, each
   * shape timed for {@code minSeconds}; {@code each} receives every shape's own rate.
   */
  static double step(StepMatmuls set, double minSeconds, BinaryOperator<NDArray> product,
      BiConsumer<StepMatmuls.Product, Double> each) {
    double seconds = 0;
    for (StepMatmuls.Product p : set.products()) {
      double rate = measure(p.batch(), p.m(), p.k(), p.n(), minSeconds, product);
      each.accept(p, rate);
      seconds += p.flops() / rate;
    }
    return set.flops() / seconds;
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
