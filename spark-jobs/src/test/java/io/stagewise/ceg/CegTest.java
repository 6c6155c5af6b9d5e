package io.stagewise.ceg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CegTest {
  private static final Curves.Law SMALL = new Curves.Law(3, 20, 0.3);
  private static final Curves.Law LARGE = new Curves.Law(2, 200, 0.3);
  private static final double DECADE_TENTH = Math.pow(10, 0.1);

  /** Small model observed over C = 1e3 .. 1e6, large over 1e6 .. 1e9; smoothed with the default. */
  private static BaselineFrontier twoSizes(Axis axis) {
    Smoothing smoothing = CegOptions.defaults().smoothing();
    return BaselineFrontier.of(List.of(Curves.sampled(SMALL, 1e3, DECADE_TENTH, 31, 1).smoothed(smoothing),
        Curves.sampled(LARGE, 1e6, DECADE_TENTH, 31, 1).smoothed(smoothing)), axis);
  }

  @Test
  void anInnovationShiftedByKInComputeHasCegK() {
    for (double k : new double[] {0.5, 1, 2, 3.7}) {
      LossCurve baseline = Curves.sampled(SMALL, 1e3, DECADE_TENTH, 31, 1);
      // Same losses at 1/k of the compute: the innovation's checkpoints sit at C/k.
      LossCurve innovation = Curves.sampled(SMALL, 1e3 / k, DECADE_TENTH, 31, k);
      Smoothing smoothing = CegOptions.defaults().smoothing();
      Gain gain = Ceg.of(BaselineFrontier.of(List.of(baseline.smoothed(smoothing)), Axis.FLOPS),
          innovation.smoothed(smoothing));
      assertEquals(k, gain.value(), 1e-9 * k, "k = " + k);
      assertEquals(Gain.Status.OBSERVED, gain.status());
    }
  }

  @Test
  void aLossBetweenTheBaselinesCheckpointsIsInterpolatedInLogLogSpace() {
    LossCurve baseline = Curves.sampled(SMALL, 1e3, DECADE_TENTH, 31, 1);
    double k = 2.5;
    // The innovation's checkpoints fall half-way between the baseline's (in log compute) and it stops early,
    // so its best loss lies between two baseline checkpoints.
    LossCurve innovation = Curves.sampled(SMALL, 1e3 * Math.pow(10, 0.05) / k, DECADE_TENTH, 25, k);
    Gain gain = Ceg.of(BaselineFrontier.of(List.of(baseline), Axis.FLOPS), innovation);
    // The law bends slightly in log-log space (E > 0); a tenth of a decade between checkpoints keeps it < 0.5 %.
    assertEquals(k, gain.value(), 5e-3 * k);
    assertEquals(Gain.Status.OBSERVED, gain.status());
  }

  @Test
  void theFrontierSpansSizesAndTakesTheCheapestSizeAtEachLoss() {
    BaselineFrontier frontier = twoSizes(Axis.FLOPS);
    Smoothing smoothing = CegOptions.defaults().smoothing();
    double k = 1.8;
    // Large innovation: its best loss is one only the large baseline reaches.
    Gain large = Ceg.of(frontier, Curves.sampled(LARGE, 1e6 / k, DECADE_TENTH, 31, k).smoothed(smoothing));
    assertTrue(large.targetLoss() < SMALL.e());
    assertEquals(k, large.value(), 1e-9 * k);
    // Small innovation: at its best loss the small baseline is cheaper than the large one.
    Gain small = Ceg.of(frontier, Curves.sampled(SMALL, 1e3 / k, DECADE_TENTH, 31, k).smoothed(smoothing));
    assertTrue(LARGE.compute(small.targetLoss()) > SMALL.compute(small.targetLoss()));
    assertEquals(k, small.value(), 1e-9 * k);
  }

  @Test
  void theFrontierBridgesFromOneSizesLastCheckpointToTheNextSizeWithoutAJump() {
    BaselineFrontier frontier = BaselineFrontier.of(List.of(Curves.sampled(SMALL, 1e3, DECADE_TENTH, 31, 1),
        Curves.sampled(LARGE, 1e6, DECADE_TENTH, 31, 1)), Axis.FLOPS);
    double smallBest = SMALL.loss(1e6);
    double atEnd = frontier.reach(smallBest).cost();
    double justBeyond = frontier.reach(smallBest - 1e-4).cost();
    assertEquals(1e6, atEnd, 1e-3);
    // Just past the small size's best loss the cost grows a little, not to the large size's 1.9e7 at that loss.
    assertTrue(justBeyond > atEnd && justBeyond < 1.05 * atEnd, "cost " + justBeyond);
    assertEquals(Gain.Status.OBSERVED, frontier.reach(smallBest - 1e-4).status());
  }

  @Test
  void acrossSizesALossBetweenCheckpointsIsInterpolated() {
    double k = 1.8;
    BaselineFrontier raw = BaselineFrontier.of(List.of(Curves.sampled(SMALL, 1e3, DECADE_TENTH, 31, 1),
        Curves.sampled(LARGE, 1e6, DECADE_TENTH, 31, 1)), Axis.FLOPS);
    // Stops half-way through a decade step of the large baseline: its best loss falls between two checkpoints.
    LossCurve early = Curves.sampled(LARGE, 1e6 * Math.pow(10, 0.05) / k, DECADE_TENTH, 17, k);
    assertEquals(k, Ceg.of(raw, early).value(), 5e-3 * k);
    // Smoothed, the run's last point rests on a one-sided window while the baseline's is centred: on a curve
    // this bent (E = 2, L − E ≈ 1) that costs about 1 %.
    Smoothing smoothing = CegOptions.defaults().smoothing();
    assertEquals(k, Ceg.of(twoSizes(Axis.FLOPS), early.smoothed(smoothing)).value(), 0.02 * k);
  }

  @Test
  void aLossBeyondTheObservedRangeIsExtrapolatedFromTheFitAndFlagged() {
    Curves.Law law = new Curves.Law(2, 50, 0.25);
    LossCurve baseline = Curves.sampled(law, 1e2, DECADE_TENTH, 31, 1); // up to C = 1e5
    double k = 4;
    LossCurve innovation = Curves.sampled(law, 1e3, DECADE_TENTH, 31, k); // reaches L(4e6)
    Gain gain = Ceg.of(BaselineFrontier.of(List.of(baseline), Axis.FLOPS), innovation);
    assertEquals(Gain.Status.EXTRAPOLATED, gain.status());
    double truth = law.compute(innovation.bestLoss()) / innovation.last().flops();
    assertEquals(k, truth, 1e-9);
    assertEquals(truth, gain.value(), 0.01 * truth);
    assertTrue(gain.format().contains("extrapolated"), gain.format());
  }

  @Test
  void aLossBelowTheBaselinesAsymptoteIsFlaggedUnreachable() {
    Curves.Law law = new Curves.Law(2, 50, 0.25);
    LossCurve baseline = Curves.sampled(law, 1e2, DECADE_TENTH, 31, 1);
    LossCurve better = Curves.sampled(new Curves.Law(1.5, 5, 0.25), 1e2, DECADE_TENTH, 41, 1);
    assertTrue(better.bestLoss() < 2);
    Gain gain = Ceg.of(BaselineFrontier.of(List.of(baseline), Axis.FLOPS), better);
    assertEquals(Gain.Status.UNREACHABLE, gain.status());
    assertTrue(Double.isNaN(gain.value()));
    assertEquals(Double.POSITIVE_INFINITY, gain.orderValue());
    assertTrue(gain.format().startsWith("∞ (unreachable"), gain.format());
  }

  @Test
  void wallClockGainIsTheSameConstructionInSeconds() {
    // Identical curves in FLOPs, but the innovation runs 1.5x the FLOPs per second (a fused kernel).
    LossCurve baseline = Curves.sampled(SMALL, 1e3, DECADE_TENTH, 31, 1, 1e6);
    LossCurve fused = Curves.sampled(SMALL, 1e3, DECADE_TENTH, 31, 1, 1.5e6);
    assertEquals(1, Ceg.of(BaselineFrontier.of(List.of(baseline), Axis.FLOPS), fused).value(), 1e-9);
    assertEquals(1.5, Ceg.of(BaselineFrontier.of(List.of(baseline), Axis.SECONDS), fused).value(), 1e-9);
    Gain untimed = Ceg.of(BaselineFrontier.of(List.of(baseline), Axis.SECONDS), Curves.ofLosses(30, 20, 10));
    assertEquals(Gain.Status.UNAVAILABLE, untimed.status());
  }
}
