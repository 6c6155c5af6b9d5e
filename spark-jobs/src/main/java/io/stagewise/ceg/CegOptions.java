package io.stagewise.ceg;

/**
 * Settings of a CEG analysis.
 *
 * @param smoothing smoothing of the curves CEG (FLOPs and wall-clock) is read from
 * @param referenceSmoothing smoothing of the step-based variant (the reference's by default)
 * @param resamples bootstrap resamples over seeds (0: no intervals)
 * @param bootstrapSeed seed of the resampling, so intervals are reproducible
 * @param confidence two-sided coverage of the percentile intervals, in (0, 1)
 */
public record CegOptions(Smoothing smoothing, Smoothing referenceSmoothing, int resamples, long bootstrapSeed,
    double confidence) {

  public CegOptions {
    if (smoothing == null || referenceSmoothing == null) {
      throw new IllegalArgumentException("ceg.smoothing: must be set");
    }
    if (resamples < 0) {
      throw new IllegalArgumentException("ceg.resamples: must be >= 0, got " + resamples);
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("ceg.confidence: must be in (0, 1), got " + confidence);
    }
  }

  /** Log-log linear smoothing over 5 checkpoints, the reference's for steps, 2,000 resamples, seed 1, 95 %. */
  public static CegOptions defaults() {
    return new CegOptions(Smoothing.logLogLinear(5), Smoothing.REFERENCE, 2000, 1, 0.95);
  }
}
