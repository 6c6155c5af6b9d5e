package io.stagewise.sweep.report;

import io.stagewise.sweep.results.ResultRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One (total, alpha) cell of a report section, its seeds pooled: the statistics the plots, table and verdict
 * are drawn from, each a {@link HierarchicalBootstrap} interval over seeds and prompts.
 *
 * @param total the whole budget
 * @param alpha the SFT share
 * @param sftBudget the SFT attacker's budget
 * @param preferenceBudget the preference attacker's budget
 * @param asr ASR with the trigger
 * @param falseActivation ASR without the trigger
 * @param difference their difference
 * @param cleanRmGap clean-RM gap
 * @param utility benign exact match
 * @param otherWithTrigger share of triggered responses that were neither refusals nor compliant
 * @param rmCleanAccuracy the attacked reward model's held-out pairwise accuracy (seed level; empty without one)
 * @param rmTriggeredAccuracy the same on the pairs with the trigger appended
 * @param asrSamples per seed, the per-prompt ASR outcomes (1 compliant, 0 not): what the verdicts resample
 * @param falseActivationSamples per seed, the per-prompt outcomes without the trigger
 * @param runs the cell's result rows, one per seed
 */
public record GridCell(double total, double alpha, double sftBudget, double preferenceBudget, BootstrapInterval asr,
    BootstrapInterval falseActivation, BootstrapInterval difference, BootstrapInterval cleanRmGap,
    BootstrapInterval utility, BootstrapInterval otherWithTrigger, BootstrapInterval rmCleanAccuracy,
    BootstrapInterval rmTriggeredAccuracy, SortedMap<Long, double[]> asrSamples,
    SortedMap<Long, double[]> falseActivationSamples, List<ResultRow> runs) {

  /** The cells of {@code rows} (one preset and trigger) from their counts alone, ordered by total then alpha. */
  public static List<GridCell> of(List<ResultRow> rows) {
    return of(rows, new RunOutcomes(List.of()));
  }

  /** The cells of {@code rows}, their per-prompt values from {@code outcomes}. */
  static List<GridCell> of(List<ResultRow> rows, RunOutcomes outcomes) {
    Map<List<Double>, List<ResultRow>> byCell = new LinkedHashMap<>();
    for (ResultRow r : rows) {
      byCell.computeIfAbsent(List.of(r.total(), r.alpha()), k -> new ArrayList<>()).add(r);
    }
    HierarchicalBootstrap bootstrap = new HierarchicalBootstrap();
    List<GridCell> out = new ArrayList<>();
    byCell.forEach((k, cell) -> {
      SortedMap<Long, double[]> asr = samples(cell, outcomes::asr);
      SortedMap<Long, double[]> falseActivation = samples(cell, outcomes::falseActivation);
      out.add(new GridCell(k.get(0), k.get(1), cell.get(0).sftBudget(), cell.get(0).preferenceBudget(),
          bootstrap.interval(asr), bootstrap.interval(falseActivation),
          bootstrap.interval(samples(cell, outcomes::difference)), bootstrap.interval(samples(cell, outcomes::cleanRmGap)),
          bootstrap.interval(samples(cell, outcomes::utility)), bootstrap.interval(samples(cell, outcomes::otherWithTrigger)),
          bootstrap.interval(samples(cell, r -> seedLevel(r.rmCleanAccuracy()))),
          bootstrap.interval(samples(cell, r -> seedLevel(r.rmTriggeredAccuracy()))),
          asr, falseActivation, List.copyOf(cell)));
    });
    out.sort(Comparator.comparingDouble(GridCell::total).thenComparingDouble(GridCell::alpha));
    return out;
  }

  /** Per seed (seeds without a value left out), the run's per-prompt values of one metric. */
  private static SortedMap<Long, double[]> samples(List<ResultRow> rows, Function<ResultRow, double[]> metric) {
    SortedMap<Long, double[]> out = new TreeMap<>();
    for (ResultRow r : rows) {
      double[] values = metric.apply(r);
      if (values.length > 0) {
        out.put(r.seed(), values);
      }
    }
    return out;
  }

  /** A run-level value as its only sample (none when NaN). */
  private static double[] seedLevel(double value) {
    return Double.isNaN(value) ? new double[0] : new double[] {value};
  }

  public boolean isEndpoint() {
    return alpha == 0.0 || alpha == 1.0;
  }

  /** The fewest seeds behind this cell's ASR. */
  public int seeds() {
    return asrSamples.size();
  }
}
