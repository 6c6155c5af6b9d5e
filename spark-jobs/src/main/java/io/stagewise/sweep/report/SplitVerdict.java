package io.stagewise.sweep.report;

import io.stagewise.sweep.report.HierarchicalBootstrap.SplitTest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The automatic answer to the sweep's question, per total budget: does the best split (the interior
 * {@code alpha} with the highest mean ASR) beat concentrating the whole budget in one stage (the better of
 * {@code alpha = 0} and {@code alpha = 1})? The test is {@link HierarchicalBootstrap}'s paired two-level
 * bootstrap of "best interior ASR minus best endpoint ASR" (both bests re-selected in every resample): a win
 * needs the difference's 95 % interval to exclude zero (so p &lt; 0.05); anything else is inconclusive, and
 * fewer than two shared seeds make no claim at all, since one seed says nothing about training randomness.
 */
public final class SplitVerdict {
  /** Below this many seeds per cell, the report warns that its intervals understate training randomness. */
  public static final int INFORMATIVE_SEEDS = 5;

  /** How one total came out. */
  public enum Outcome {
    SPLIT_WINS("splitting beat concentrating"),
    CONCENTRATION_WINS("concentrating beat splitting"),
    INCONCLUSIVE("no difference beyond seed and prompt sampling"),
    ONE_SEED("no claim: the cells share only one seed"),
    NOT_TESTABLE("the grid lacks an interior alpha or an endpoint");

    final String words;

    Outcome(String words) {
      this.words = words;
    }
  }

  /** One total's comparison; {@code test} is null when not testable. */
  public record Comparison(double total, Outcome outcome, GridCell bestSplit, GridCell bestEndpoint, SplitTest test) {}

  private SplitVerdict() {}

  public static List<Comparison> compare(List<GridCell> cells) {
    TreeMap<Double, List<GridCell>> byTotal = new TreeMap<>();
    cells.forEach(c -> byTotal.computeIfAbsent(c.total(), t -> new ArrayList<>()).add(c));
    HierarchicalBootstrap bootstrap = new HierarchicalBootstrap();
    List<Comparison> out = new ArrayList<>();
    byTotal.forEach((total, group) -> {
      List<GridCell> splits = group.stream().filter(c -> !c.isEndpoint() && c.seeds() > 0).toList();
      List<GridCell> endpoints = group.stream().filter(c -> c.isEndpoint() && c.seeds() > 0).toList();
      Comparator<GridCell> byAsr = Comparator.comparingDouble(c -> c.asr().mean());
      GridCell split = splits.stream().max(byAsr).orElse(null);
      GridCell endpoint = endpoints.stream().max(byAsr).orElse(null);
      SplitTest test = split == null || endpoint == null ? null
          : bootstrap.bestSplitMinusBestEndpoint(samples(splits), samples(endpoints));
      Outcome outcome = test == null ? Outcome.NOT_TESTABLE
          : test.seeds() < 2 ? Outcome.ONE_SEED
          : test.low() > 0 ? Outcome.SPLIT_WINS
          : test.high() < 0 ? Outcome.CONCENTRATION_WINS : Outcome.INCONCLUSIVE;
      out.add(new Comparison(total, outcome, split, endpoint, test));
    });
    return out;
  }

  private static List<SortedMap<Long, double[]>> samples(List<GridCell> cells) {
    return cells.stream().map(GridCell::asrSamples).toList();
  }

  /** One paragraph: the finding per total, the test's name and the numbers behind it. */
  public static String paragraph(List<Comparison> comparisons) {
    StringBuilder text = new StringBuilder();
    long wins = comparisons.stream().filter(c -> c.outcome() == Outcome.SPLIT_WINS).count();
    long losses = comparisons.stream().filter(c -> c.outcome() == Outcome.CONCENTRATION_WINS).count();
    long testable = comparisons.stream()
        .filter(c -> c.outcome() != Outcome.NOT_TESTABLE && c.outcome() != Outcome.ONE_SEED).count();
    text.append(testable == 0 ? "The grid cannot answer whether splitting beats concentrating: it needs an interior"
        + " alpha, alpha 0 or 1, and two seeds at some total. "
        : wins == testable ? "Splitting the budget beat concentrating it at every total. "
        : losses == testable ? "Concentrating the budget in one stage beat splitting it at every total. "
        : wins + losses == 0 ? "No total shows a split and a concentrated budget apart beyond seed and prompt sampling. "
        : "The answer depends on the total. ");
    for (Comparison c : comparisons) {
      text.append(String.format("At total %s, %s", number(c.total()), c.outcome().words));
      if (c.test() != null) {
        SplitTest t = c.test();
        text.append(String.format(" (best split alpha %s: ASR %s; best single stage alpha %s: ASR %s;"
                + " difference %+.1f points, 95%% interval [%+.1f, %+.1f], p = %s, %d shared seed%s)",
            number(c.bestSplit().alpha()), c.bestSplit().asr().format(true), number(c.bestEndpoint().alpha()),
            c.bestEndpoint().asr().format(true), 100 * t.observed(), 100 * t.low(), 100 * t.high(),
            pValue(t.pValue()), t.seeds(), t.seeds() == 1 ? "" : "s"));
      }
      text.append(". ");
    }
    text.append(String.format("Test: paired two-level bootstrap (%d resamples; seeds, then prompts within each"
        + " seed, the same prompts for every cell) of the best interior ASR minus the best endpoint ASR, both re-selected"
        + " in every resample; \"beat\" means its 95 %% interval excludes zero.", HierarchicalBootstrap.RESAMPLES));
    return text.toString();
  }

  static String pValue(double p) {
    return p < 0.001 ? "< 0.001" : String.format("%.3f", p);
  }

  static String number(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
  }
}
