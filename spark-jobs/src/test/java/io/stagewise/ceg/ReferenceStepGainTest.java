package io.stagewise.ceg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The reference's step-based CEG (arXiv 2505.04075, its results notebook): trailing mean over up to 8
 * checkpoints, target = the baseline's final smoothed loss, cost = the first checkpoint at or below it, and the
 * innovation's best loss as the target when it never gets there. Expected values are worked by hand.
 */
class ReferenceStepGainTest {
  // Trailing-8 means: 5, 4.5, 4, 3.5, 3.2, 3, 2.857, 2.75, 2.375, 2.125 -> target 2.125, reached at step 1000.
  private static final LossCurve BASELINE = Curves.ofLosses(5, 4, 3, 2, 2, 2, 2, 2, 2, 2)
      .smoothed(Smoothing.REFERENCE);

  @Test
  void baselineStepsToItsFinalSmoothedLossOverInnovationSteps() {
    // Trailing-8 means: 4, 3, 2.667, 2.5, 2.4, 2.333, 2.286, 2.25, 2.0, 2.0 -> first <= 2.125 at step 900.
    LossCurve innovation = Curves.ofLosses(4, 2, 2, 2, 2, 2, 2, 2, 2, 2).smoothed(Smoothing.REFERENCE);
    Gain gain = Ceg.referenceSteps(BASELINE, innovation);
    assertEquals(1000.0 / 900, gain.value(), 1e-12);
    assertEquals(2.125, gain.targetLoss(), 1e-12);
    assertEquals(Gain.Status.OBSERVED, gain.status());
    assertEquals(1.0, Ceg.referenceSteps(BASELINE, BASELINE).value());
  }

  @Test
  void anInnovationThatNeverGetsThereIsMeasuredAtItsOwnBestLoss() {
    // Trailing-8 means: 5, 5, 4.667, 4.5, 4.2, 4, 3.857, 3.75, 3.5, 3.25 -> never <= 2.125; its best 3.25 is
    // at step 1000, and the baseline first reaches 3.25 at step 500 (3.2): gain 0.5.
    LossCurve worse = Curves.ofLosses(5, 5, 4, 4, 3, 3, 3, 3, 3, 3).smoothed(Smoothing.REFERENCE);
    Gain gain = Ceg.referenceSteps(BASELINE, worse);
    assertEquals(0.5, gain.value(), 1e-12);
    assertEquals(3.25, gain.targetLoss(), 1e-12);
    assertEquals(Gain.Status.FALLBACK, gain.status());
  }

  @Test
  void stepsMissWhatFlopsSeeWhenAnInnovationMakesStepsCheaper() {
    // Same losses per step at half the FLOPs per step (e.g. a sparser MLP): steps say 1, FLOPs say 2.
    Curves.Law law = new Curves.Law(2, 50, 0.25);
    LossCurve baseline = Curves.sampled(law, 1e4, Math.pow(10, 0.1), 20, 1);
    LossCurve cheaper = Curves.sampled(law, 1e4 / 2, Math.pow(10, 0.1), 20, 2);
    assertEquals(1.0, Ceg.referenceSteps(baseline.smoothed(Smoothing.REFERENCE),
        cheaper.smoothed(Smoothing.REFERENCE)).value());
    assertEquals(2.0, Ceg.of(BaselineFrontier.of(java.util.List.of(baseline), Axis.FLOPS), cheaper).value(), 1e-9);
  }
}
