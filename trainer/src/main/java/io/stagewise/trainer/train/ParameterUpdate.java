package io.stagewise.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.GlobalNormClipping;
import io.stagewise.trainer.optim.TrainableParameter;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer's side of an update: zero the gradients before the first backward; afterwards gather them, sum
 * them (and the step's host scalars) over the data-parallel group, clip by global norm, refuse non-finite values
 * and apply AdamW.
 *
 * <p>Clipping and AdamW run on the gradients concatenated into one flat vector ({@link AdamW#flatten}): a few
 * operations per step instead of a few per parameter. The data-parallel sum still takes them per parameter, so
 * that its buckets bound the host memory it needs.
 *
 * <p>DJL's autograd accumulates into {@code .grad} and never zeroes it, so zeroing is explicit; each
 * {@code getGradient()} view is attached to a manager closed right after the update, so no view leaks.
 */
public final class ParameterUpdate {

  private final AdamW optimizer;
  private final NDManager manager;
  private final double clipNorm;
  private final DataParallelGroup group;

  public ParameterUpdate(AdamW optimizer, NDManager manager, double clipNorm, DataParallelGroup group) {
    this.optimizer = optimizer;
    this.manager = manager;
    this.clipNorm = clipNorm;
    this.group = group;
  }

  /**
   * What an update applied.
   *
   * @param gradNorm global gradient norm before clipping
   * @param scalars the host scalars summed over the group
   */
  public record Applied(double gradNorm, double[] scalars) {
  }

  public void zeroGradients() {
    for (TrainableParameter p : optimizer.parameters()) {
      JniUtils.zeroGrad((PtNDArray) p.array());
    }
  }

  /**
   * Sums, clips and applies the accumulated gradients of update {@code step}. {@code scalars} are this worker's
   * host sums; {@code scalars[0]} must be its loss sum, checked for being finite once summed.
   */
  public Applied apply(long step, double lr, double[] scalars) {
    try (NDScope scope = new NDScope(); NDManager stepManager = manager.newSubManager()) {
      scope.suppressNotUsedWarning();
      List<NDArray> gradients = new ArrayList<>();
      for (TrainableParameter p : optimizer.parameters()) {
        NDArray gradient = p.array().getGradient();
        gradient.attach(stepManager);
        gradients.add(gradient);
      }
      double[] totals = scalars;
      if (group.worldSize() > 1) {
        DataParallelGroup.Summed summed = group.sum(gradients, scalars, stepManager);
        gradients = summed.gradients();
        totals = summed.scalars();
      }
      NDArray flat = optimizer.flatten(gradients);
      double gradNorm = GlobalNormClipping.clip(flat, clipNorm);
      if (!Double.isFinite(gradNorm) || !Double.isFinite(totals[0])) {
        throw new ArithmeticException("step " + step + ": non-finite loss sum (" + totals[0]
            + ") or gradient norm (" + gradNorm + "); lower the learning rate or check the data");
      }
      optimizer.update(flat, lr);
      return new Applied(gradNorm, totals);
    }
  }
}
