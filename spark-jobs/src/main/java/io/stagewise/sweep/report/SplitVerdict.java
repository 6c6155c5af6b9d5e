package io.stagewise.sweep.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The automatic answer to the sweep's question, per total budget: does the best split (the interior
 * {@code alpha} with the highest mean ASR) beat concentrating the whole budget in one stage (the better of
 * {@code alpha = 0} and {@code alpha = 1})? "Beats" requires the 95 % intervals over seeds not to overlap; a
 * difference inside them is reported as inconclusive, never as a finding.
 */
public final class SplitVerdict {
  /** How one total came out. */
  public enum Outcome {
    SPLIT_WINS("splitting beat concentrating"),
    CONCENTRATION_WINS("concentrating beat splitting"),
    INCONCLUSIVE("no difference beyond the seed-to-seed spread"),
    NOT_TESTABLE("the grid lacks an interior alpha or an endpoint");

    final String words;

    Outcome(String words) {
      this.words = words;
    }
  }

  /** One total's comparison. */
  public record Comparison(double total, Outcome outcome, GridCell bestSplit, GridCell bestEndpoint) {}

  private SplitVerdict() {}

  public static List<Comparison> compare(List<GridCell> cells) {
    TreeMap<Double, List<GridCell>> byTotal = new TreeMap<>();
    cells.forEach(c -> byTotal.computeIfAbsent(c.total(), t -> new ArrayList<>()).add(c));
    List<Comparison> out = new ArrayList<>();
    byTotal.forEach((total, group) -> {
      Comparator<GridCell> byAsr = Comparator.comparingDouble(c -> c.asr().mean());
      Optional<GridCell> split = group.stream().filter(c -> !c.isEndpoint() && c.asr().n() > 0).max(byAsr);
      Optional<GridCell> endpoint = group.stream().filter(c -> c.isEndpoint() && c.asr().n() > 0).max(byAsr);
      if (split.isEmpty() || endpoint.isEmpty()) {
        out.add(new Comparison(total, Outcome.NOT_TESTABLE, split.orElse(null), endpoint.orElse(null)));
        return;
      }
      SeedInterval s = split.get().asr();
      SeedInterval e = endpoint.get().asr();
      Outcome outcome = s.low() > e.high() ? Outcome.SPLIT_WINS
          : e.low() > s.high() ? Outcome.CONCENTRATION_WINS : Outcome.INCONCLUSIVE;
      if (Double.isNaN(s.halfWidth()) || Double.isNaN(e.halfWidth())) {
        outcome = Outcome.INCONCLUSIVE; // one seed: no interval, no claim
      }
      out.add(new Comparison(total, outcome, split.get(), endpoint.get()));
    });
    return out;
  }

  /** One paragraph: the finding per total, with the numbers behind it. */
  public static String paragraph(List<Comparison> comparisons) {
    StringBuilder text = new StringBuilder();
    long wins = comparisons.stream().filter(c -> c.outcome() == Outcome.SPLIT_WINS).count();
    long losses = comparisons.stream().filter(c -> c.outcome() == Outcome.CONCENTRATION_WINS).count();
    long testable = comparisons.stream().filter(c -> c.outcome() != Outcome.NOT_TESTABLE).count();
    text.append(testable == 0 ? "The grid cannot answer whether splitting beats concentrating: it needs an interior"
        + " alpha and alpha 0 or 1 at some total. "
        : wins == testable ? "Splitting the budget beat concentrating it at every total. "
        : losses == testable ? "Concentrating the budget in one stage beat splitting it at every total. "
        : wins + losses == 0 ? "No total shows a split and a concentrated budget apart beyond the seed-to-seed spread. "
        : "The answer depends on the total. ");
    for (Comparison c : comparisons) {
      text.append(String.format("At total %s, %s", number(c.total()), c.outcome().words));
      if (c.outcome() != Outcome.NOT_TESTABLE) {
        text.append(String.format(" (best split alpha %s: ASR %s; best single stage alpha %s: ASR %s)",
            number(c.bestSplit().alpha()), c.bestSplit().asr().format(true), number(c.bestEndpoint().alpha()),
            c.bestEndpoint().asr().format(true)));
      }
      text.append(". ");
    }
    text.append("Intervals are 95 % Student-t intervals over seeds; \"beat\" means they do not overlap.");
    return text.toString();
  }

  static String number(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
  }
}
