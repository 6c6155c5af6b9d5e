package io.stagewise.sweep.report;

import io.stagewise.sweep.report.HierarchicalBootstrap.SplitTest;
import java.util.ArrayList;
import java.util.List;

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
    List<Comparison> out = new ArrayList<>();
    CellComparison.byTotal(cells).forEach((total, group) -> {
      CellComparison c = CellComparison.ofAsr(group.stream().filter(g -> !g.isEndpoint()).toList(),
          group.stream().filter(GridCell::isEndpoint).toList());
      Outcome outcome = switch (c.direction()) {
        case NOT_TESTABLE -> Outcome.NOT_TESTABLE;
        case ONE_SEED -> Outcome.ONE_SEED;
        case HIGHER -> Outcome.SPLIT_WINS;
        case LOWER -> Outcome.CONCENTRATION_WINS;
        case NO_DIFFERENCE -> Outcome.INCONCLUSIVE;
      };
      out.add(new Comparison(total, outcome, c.best(), c.reference(), c.test()));
    });
    return out;
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
        text.append(String.format(" (best split alpha %s: ASR %s; best single stage alpha %s: ASR %s; %s)",
            number(c.bestSplit().alpha()), c.bestSplit().asr().format(true), number(c.bestEndpoint().alpha()),
            c.bestEndpoint().asr().format(true), new CellComparison(c.bestSplit(), c.bestEndpoint(), null,
                c.test()).numbers()));
      }
      text.append(". ");
    }
    text.append("Test: ").append(CellComparison.testDescription("the best interior ASR minus the best endpoint ASR"))
        .append("; \"beat\" means its 95 % interval excludes zero.");
    return text.toString();
  }

  static String number(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
  }
}
