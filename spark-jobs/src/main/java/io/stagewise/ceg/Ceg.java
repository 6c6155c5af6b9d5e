package io.stagewise.ceg;

/**
 * Compute-equivalent gain (DESIGN.md § Definitions). For an innovation run that reaches eval loss L with compute
 * C, {@code CEG = C_base(L) / C}, where {@code C_base(L)} is where the {@link BaselineFrontier} first reaches L.
 * L is the innovation's best smoothed loss and C the compute at which its smoothed curve first reaches it, so
 * the gain answers "what would the baseline have paid for what this run achieved". The same construction on
 * wall-clock seconds gives the wall-clock equivalent gain.
 *
 * <p>{@link #referenceSteps} is the step-based definition of the reference (arXiv 2505.04075), kept beside it
 * for comparison: it is right only when the innovation leaves the cost of a step unchanged.
 */
public final class Ceg {
  private Ceg() {}

  /** The equivalent gain on the frontier's axis of an innovation curve (smoothed like the frontier's curves). */
  public static Gain of(BaselineFrontier baseline, LossCurve smoothedInnovation) {
    Axis axis = baseline.axis();
    double target = smoothedInnovation.bestLoss();
    if (axis == Axis.SECONDS && !smoothedInnovation.timed()) {
      return Gain.of(Double.NaN, Gain.Status.UNAVAILABLE, target);
    }
    double cost = smoothedInnovation.firstReaching(target, axis);
    BaselineFrontier.Reach reach = baseline.reach(target);
    return Gain.of(reach.cost() / cost, reach.status(), target);
  }

  /**
   * The reference's step-based gain at one size, on curves smoothed with {@link Smoothing#REFERENCE}: the target
   * is the baseline's final smoothed loss; each run's cost is the step of its first checkpoint at or below it
   * (no interpolation); gain = baseline steps ÷ innovation steps. When the innovation never gets there, the
   * reference falls back to the innovation's best loss as the target (status {@link Gain.Status#FALLBACK}).
   * The reference counts checkpoints (index + 1 with an evaluation every 500 steps); steps are the same ratio
   * for evaluations at multiples of a fixed interval and stay right otherwise.
   */
  public static Gain referenceSteps(LossCurve smoothedBaseline, LossCurve smoothedInnovation) {
    double target = smoothedBaseline.last().loss();
    int innovation = smoothedInnovation.firstIndexAtOrBelow(target);
    Gain.Status status = Gain.Status.OBSERVED;
    if (innovation < 0) {
      target = smoothedInnovation.bestLoss();
      innovation = smoothedInnovation.firstIndexAtOrBelow(target);
      status = Gain.Status.FALLBACK;
    }
    int baseline = smoothedBaseline.firstIndexAtOrBelow(target);
    double gain = (double) smoothedBaseline.points().get(baseline).step()
        / smoothedInnovation.points().get(innovation).step();
    return Gain.of(gain, status, target);
  }
}
