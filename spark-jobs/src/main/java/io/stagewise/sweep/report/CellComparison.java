package io.stagewise.sweep.report;

import io.stagewise.sweep.report.HierarchicalBootstrap.SplitTest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One comparison behind a report's verdicts: the best (highest mean ASR) of some cells against the best of others
 * in a chosen metric, by {@link HierarchicalBootstrap}'s paired two-level test (both bests re-selected in every
 * resample), and where its 95 % interval lies. Shared by {@link SplitVerdict} and {@link ComplementarityVerdict}.
 *
 * @param best the candidate cell with the highest mean ASR (null when there is none)
 * @param reference the reference cell with the highest mean in the reference metric (null likewise)
 * @param referenceValue that cell's value in the reference metric
 * @param test the bootstrap test; null when either side is empty or they share no seed
 */
record CellComparison(GridCell best, GridCell reference, BootstrapInterval referenceValue, SplitTest test) {

  /** Where the difference lies. */
  enum Direction { HIGHER, LOWER, NO_DIFFERENCE, ONE_SEED, NOT_TESTABLE }

  /**
   * The best candidate's ASR minus the best reference's {@code metric}.
   *
   * @param samples the reference metric's per-seed, per-prompt values
   * @param value the reference metric's interval (shown beside the numbers)
   */
  static CellComparison of(List<GridCell> candidates, List<GridCell> references,
      Function<GridCell, SortedMap<Long, double[]>> samples, Function<GridCell, BootstrapInterval> value) {
    List<GridCell> c = candidates.stream().filter(g -> g.seeds() > 0).toList();
    List<GridCell> r = references.stream().filter(g -> !samples.apply(g).isEmpty()).toList();
    GridCell best = c.stream().max(Comparator.comparingDouble(g -> g.asr().mean())).orElse(null);
    GridCell reference = r.stream().max(Comparator.comparingDouble(g -> value.apply(g).mean())).orElse(null);
    SplitTest test = best == null || reference == null ? null : new HierarchicalBootstrap().bestSplitMinusBestEndpoint(
        c.stream().map(GridCell::asrSamples).toList(), r.stream().map(samples).toList());
    return new CellComparison(best, reference, reference == null ? null : value.apply(reference), test);
  }

  /** ASR against ASR. */
  static CellComparison ofAsr(List<GridCell> candidates, List<GridCell> references) {
    return of(candidates, references, GridCell::asrSamples, GridCell::asr);
  }

  Direction direction() {
    return test == null ? Direction.NOT_TESTABLE
        : test.seeds() < 2 ? Direction.ONE_SEED
        : test.low() > 0 ? Direction.HIGHER
        : test.high() < 0 ? Direction.LOWER : Direction.NO_DIFFERENCE;
  }

  /** Whether the comparison can support a claim (testable, two shared seeds or more). */
  boolean isClaim() {
    return direction() != Direction.NOT_TESTABLE && direction() != Direction.ONE_SEED;
  }

  /** The test's numbers: difference in points, its 95 % interval, p-value and shared seeds. */
  String numbers() {
    return String.format("difference %+.1f points, 95%% interval [%+.1f, %+.1f], p = %s, %d shared seed%s",
        100 * test.observed(), 100 * test.low(), 100 * test.high(), pValue(test.pValue()), test.seeds(),
        test.seeds() == 1 ? "" : "s");
  }

  /** Cells grouped by total budget, totals ascending. */
  static TreeMap<Double, List<GridCell>> byTotal(List<GridCell> cells) {
    TreeMap<Double, List<GridCell>> out = new TreeMap<>();
    cells.forEach(c -> out.computeIfAbsent(c.total(), t -> new ArrayList<>()).add(c));
    return out;
  }

  static String pValue(double p) {
    return p < 0.001 ? "< 0.001" : String.format("%.3f", p);
  }

  /** The bootstrap's description, which every verdict paragraph ends with. */
  static String testDescription(String statistic) {
    return String.format("paired two-level bootstrap (%d resamples; seeds, then prompts within each seed, the same"
        + " prompts for every cell) of %s, both re-selected in every resample", HierarchicalBootstrap.RESAMPLES,
        statistic);
  }
}
