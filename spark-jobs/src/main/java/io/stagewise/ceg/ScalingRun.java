package io.stagewise.ceg;

/**
 * One finished pretraining run of a scaling sweep.
 *
 * @param size the model size (preset) it trained
 * @param innovation the innovation set it switched on (the baseline's name for none)
 * @param seed its seed
 * @param curve its evaluation curve
 */
public record ScalingRun(String size, String innovation, long seed, LossCurve curve) {
  public ScalingRun {
    if (size == null || innovation == null || curve == null) {
      throw new IllegalArgumentException("a scaling run needs a size, an innovation and a curve");
    }
  }
}
