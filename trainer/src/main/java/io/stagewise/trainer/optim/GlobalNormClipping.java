package io.stagewise.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Gradient clipping by the global L2 norm over all parameters (as {@code torch.nn.utils.clip_grad_norm_}):
 * when the norm exceeds the threshold, every gradient is scaled by {@code maxNorm / (norm + 1e-6)}, which
 * keeps the update direction. DJL's built-in clipping clips element-wise, which changes the direction.
 *
 * <p>The training step works on all gradients as one flat vector ({@link AdamW#flatten}): the norm is then
 * two operations and the scaling one, whatever the parameter count.
 */
public final class GlobalNormClipping {

  private static final double EPSILON = 1e-6;

  private GlobalNormClipping() {
  }

  /** The L2 norm of the flat vector {@code gradients} (one host read). */
  public static double globalNorm(NDArray gradients) {
    try (NDArray squares = gradients.square();
        NDArray total = squares.sum()) {
      return Math.sqrt(total.getFloat());
    }
  }

  /** The global L2 norm of {@code gradients} (one host read). */
  public static double globalNorm(List<NDArray> gradients) {
    try (NDArray flat = flatten(gradients)) {
      return globalNorm(flat);
    }
  }

  /**
   * Scales the flat vector {@code gradients} in place so that its norm is at most {@code maxNorm}
   * ({@code maxNorm <= 0} disables clipping) and returns the norm before clipping.
   */
  public static double clip(NDArray gradients, double maxNorm) {
    double norm = globalNorm(gradients);
    if (maxNorm > 0 && norm > maxNorm) {
      gradients.muli(scale(norm, maxNorm));
    }
    return norm;
  }

  /**
   * Scales the gradients in place so that their global norm is at most {@code maxNorm} ({@code maxNorm <= 0}
   * disables clipping) and returns the norm before clipping.
   */
  public static double clip(List<NDArray> gradients, double maxNorm) {
    double norm = globalNorm(gradients);
    if (maxNorm > 0 && norm > maxNorm) {
      float scale = scale(norm, maxNorm);
      for (NDArray g : gradients) {
        g.muli(scale);
      }
    }
    return norm;
  }

  private static float scale(double norm, double maxNorm) {
    return (float) (maxNorm / (norm + EPSILON));
  }

  private static NDArray flatten(List<NDArray> gradients) {
    return new FlatLayout(gradients.stream().map(NDArray::getShape).toList()).concat(gradients);
  }
}
