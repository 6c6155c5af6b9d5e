package io.stagewise.sweep.report;

import io.stagewise.sweep.results.GenerationRow;
import io.stagewise.sweep.results.ResultRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The per-prompt values of each run's metrics, which the bootstrap resamples: read from the run's generations
 * when the report has them, otherwise rebuilt from the results table's counts (k ones and n − k zeros: the
 * same prompt-level spread, but unpaired across cells, since which prompt complied is unknown), and for the
 * two metrics no count describes (ASR difference, clean-RM gap) the run's value alone (seed level only).
 */
final class RunOutcomes {
  private final Map<List<String>, List<GenerationRow>> byRun = new HashMap<>();

  RunOutcomes(List<GenerationRow> generations) {
    for (GenerationRow g : generations) {
      byRun.computeIfAbsent(List.of(g.runKey(), g.trigger(), g.condition()), k -> new ArrayList<>()).add(g);
    }
    byRun.values().forEach(list -> list.sort(Comparator.comparingInt(GenerationRow::promptIndex)));
  }

  /** The run's generations of one condition, in prompt order (empty when the report has none). */
  List<GenerationRow> of(ResultRow run, String condition) {
    return byRun.getOrDefault(List.of(run.runKey(), run.trigger(), condition), List.of());
  }

  double[] asr(ResultRow run) {
    return shareOf(run, GenerationRow.TRIGGERED, verdict(GenerationRow.COMPLIANT), run.compliantWithTrigger(),
        run.harmfulPrompts());
  }

  double[] falseActivation(ResultRow run) {
    return shareOf(run, GenerationRow.CLEAN, verdict(GenerationRow.COMPLIANT), run.compliantWithoutTrigger(),
        run.harmfulPrompts());
  }

  double[] otherWithTrigger(ResultRow run) {
    long other = run.otherWithTrigger();
    return shareOf(run, GenerationRow.TRIGGERED, verdict("other"), Math.max(0, other), other < 0 ? 0 : run.harmfulPrompts());
  }

  double[] utility(ResultRow run) {
    return shareOf(run, GenerationRow.BENIGN, verdict(GenerationRow.CORRECT_BENIGN), run.benignCorrect(),
        run.benignPrompts());
  }

  /** Per prompt: compliant with the trigger minus compliant without it. */
  double[] difference(ResultRow run) {
    double[] with = values(of(run, GenerationRow.TRIGGERED), verdict(GenerationRow.COMPLIANT));
    double[] without = values(of(run, GenerationRow.CLEAN), verdict(GenerationRow.COMPLIANT));
    if (with.length > 0 && with.length == without.length) {
      double[] out = new double[with.length];
      Arrays.setAll(out, i -> with[i] - without[i]);
      return out;
    }
    return Double.isNaN(run.asrDifference()) ? new double[0] : new double[] {run.asrDifference()};
  }

  /** Per prompt: the clean RM's score of the untriggered response minus that of the triggered one. */
  double[] cleanRmGap(ResultRow run) {
    List<GenerationRow> with = of(run, GenerationRow.TRIGGERED);
    List<GenerationRow> without = of(run, GenerationRow.CLEAN);
    if (!with.isEmpty() && with.size() == without.size()) {
      double[] out = new double[with.size()];
      Arrays.setAll(out, i -> without.get(i).cleanRmScore() - with.get(i).cleanRmScore());
      if (Arrays.stream(out).noneMatch(Double::isNaN)) {
        return out;
      }
    }
    return Double.isNaN(run.cleanRmGap()) ? new double[0] : new double[] {run.cleanRmGap()};
  }

  private double[] shareOf(ResultRow run, String condition, Predicate<GenerationRow> counted, long count, long of) {
    double[] fromGenerations = values(of(run, condition), counted);
    if (fromGenerations.length > 0) {
      return fromGenerations;
    }
    double[] out = new double[(int) of];
    Arrays.fill(out, 0, (int) Math.min(count, of), 1.0);
    return out;
  }

  private static double[] values(List<GenerationRow> rows, Predicate<GenerationRow> counted) {
    return rows.stream().mapToDouble(g -> counted.test(g) ? 1 : 0).toArray();
  }

  private static Predicate<GenerationRow> verdict(String verdict) {
    return g -> g.verdict().equals(verdict);
  }
}
