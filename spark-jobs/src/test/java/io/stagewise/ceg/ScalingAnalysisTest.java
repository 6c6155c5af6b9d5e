package io.stagewise.ceg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingAnalysisTest {
  private static final Curves.Law SMALL = new Curves.Law(3, 20, 0.3);
  private static final Curves.Law LARGE = new Curves.Law(2, 200, 0.3);
  private static final double STEP = Math.pow(10, 0.1);
  /** Seed-to-seed spread: each seed scales A by one of these (and its curve's compute by the inverse power). */
  private static final double[] SEED_SPREAD = {0.985, 1.0, 1.015};
  private static final CegOptions OPTIONS = new CegOptions(CegOptions.defaults().smoothing(), Smoothing.REFERENCE,
      400, 7, 0.95);

  /**
   * Three seeds of a size's curve shifted by {@code k} in compute, {@code n} evaluations a tenth of a decade
   * apart; seconds = FLOPs / {@code flopsPerSecond}.
   */
  private static List<ScalingRun> seeds(String size, String innovation, double k, double flopsPerSecond,
      int spreadOffset, int n) {
    Curves.Law law = size.equals("small") ? SMALL : LARGE;
    double from = size.equals("small") ? 1e3 : 1e6;
    List<ScalingRun> runs = new ArrayList<>();
    for (int s = 0; s < SEED_SPREAD.length; s++) {
      Curves.Law seeded = law.scaledA(SEED_SPREAD[(s + spreadOffset) % SEED_SPREAD.length]);
      runs.add(new ScalingRun(size, innovation, s + 1, Curves.sampled(seeded, from / k, STEP, n, k, flopsPerSecond)));
    }
    return runs;
  }

  private static List<ScalingRun> study(double smallK, double largeK) {
    List<ScalingRun> runs = new ArrayList<>();
    for (String size : List.of("small", "large")) {
      runs.addAll(seeds(size, "baseline", 1, 1e6, 0, 31));
      // Stopped early, so the loss it reaches lies inside the baseline's observed range at its size.
      runs.addAll(seeds(size, "innovation", size.equals("small") ? smallK : largeK, 1e6, 1, 26));
    }
    return runs;
  }

  private static ScalingResults.Innovation only(ScalingResults results) {
    assertEquals(1, results.innovations().size());
    return results.innovations().get(0);
  }

  @Test
  void theIntervalContainsTheTrueGainAndIsReproducible() {
    List<ScalingRun> runs = study(2, 2);
    ScalingResults results = ScalingAnalysis.analyse(runs, "baseline", List.of("small", "large"), OPTIONS);
    for (ScalingResults.SizeGains g : only(results).sizes()) {
      assertTrue(g.flops().low() < 2 && 2 < g.flops().high(), g.size() + ": " + g.flops().format());
      assertTrue(g.flops().high() - g.flops().low() < 0.6, g.size() + ": " + g.flops().format());
      assertEquals(3, g.baselineSeeds());
      assertEquals(Gain.Status.OBSERVED, g.flops().status());
      // The gain comes from cheaper steps (same loss per step at 1/k the FLOPs): the step variant misses it.
      assertEquals(1, g.steps().value(), 0.05, g.steps().format());
      assertEquals(g.flops().value(), g.seconds().value(), 1e-9);
    }
    assertEquals(results, ScalingAnalysis.analyse(runs, "baseline", List.of("small", "large"), OPTIONS));
    assertTrue(results.flopsFit() != null && results.secondsFit() != null);
    assertEquals(4, results.curves().size());
  }

  @Test
  void classesIndependentDependentAndUndetermined() {
    List<String> sizes = List.of("small", "large");
    InnovationClass.Verdict independent = only(ScalingAnalysis.analyse(study(2, 1.6), "baseline", sizes, OPTIONS))
        .verdict();
    assertEquals(InnovationClass.COMPUTE_INDEPENDENT, independent.kind(), independent.reason());
    InnovationClass.Verdict dependent = only(ScalingAnalysis.analyse(study(0.5, 1.5), "baseline", sizes, OPTIONS))
        .verdict();
    assertEquals(InnovationClass.COMPUTE_DEPENDENT, dependent.kind(), dependent.reason());
    InnovationClass.Verdict neither = only(ScalingAnalysis.analyse(study(1, 1), "baseline", sizes, OPTIONS))
        .verdict();
    assertEquals(InnovationClass.UNDETERMINED, neither.kind(), neither.reason());
  }

  @Test
  void oneSeedGivesNoIntervalAndNoClass() {
    List<ScalingRun> runs = study(2, 2).stream().filter(r -> r.seed() == 1).toList();
    ScalingResults results = ScalingAnalysis.analyse(runs, "baseline", List.of("small", "large"), OPTIONS);
    ScalingResults.SizeGains small = only(results).sizes().get(0);
    assertEquals(2, small.flops().value(), 0.2); // seed 1 of each differs by 1.5 % in A
    assertTrue(!small.flops().hasInterval());
    assertEquals(InnovationClass.UNDETERMINED, only(results).verdict().kind());
  }

  @Test
  void aFasterKernelShowsInWallClockNotInFlops() {
    List<ScalingRun> runs = new ArrayList<>(seeds("small", "baseline", 1, 1e6, 0, 31));
    runs.addAll(seeds("small", "fused", 1, 1.4e6, 0, 31));
    ScalingResults.SizeGains g = only(ScalingAnalysis.analyse(runs, "baseline", List.of("small"), OPTIONS))
        .sizes().get(0);
    assertEquals(1, g.flops().value(), 1e-9);
    assertEquals(1.4, g.seconds().value(), 1e-9);
  }

  @Test
  void missingBaselinesAndUnknownSizesAreNamed() {
    List<ScalingRun> noBaseline = seeds("small", "innovation", 2, 1e6, 0, 31);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScalingAnalysis.analyse(noBaseline, "baseline", List.of("small"), OPTIONS));
    assertTrue(e.getMessage().contains("size small has no baseline"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ScalingAnalysis.analyse(study(1, 1), "baseline", List.of("small"), OPTIONS));
    assertTrue(e.getMessage().contains("large/baseline/seed 1: size not among [small]"), e.getMessage());
  }
}
