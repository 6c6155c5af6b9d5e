package io.stagewise.sweep.report;

import io.stagewise.sweep.results.ResultRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One (total, alpha) cell of a report section, its seeds pooled: the statistics the plots, table and verdict
 * are drawn from.
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
 */
public record GridCell(double total, double alpha, double sftBudget, double preferenceBudget, SeedInterval asr,
    SeedInterval falseActivation, SeedInterval difference, SeedInterval cleanRmGap, SeedInterval utility) {

  /** The cells of {@code rows} (one preset and trigger), ordered by total then alpha. */
  public static List<GridCell> of(List<ResultRow> rows) {
    Map<List<Double>, List<ResultRow>> byCell = new LinkedHashMap<>();
    for (ResultRow r : rows) {
      byCell.computeIfAbsent(List.of(r.total(), r.alpha()), k -> new ArrayList<>()).add(r);
    }
    List<GridCell> out = new ArrayList<>();
    byCell.forEach((k, cell) -> out.add(new GridCell(k.get(0), k.get(1), cell.get(0).sftBudget(),
        cell.get(0).preferenceBudget(), stat(cell, ResultRow::asrWithTrigger), stat(cell, ResultRow::asrWithoutTrigger),
        stat(cell, ResultRow::asrDifference), stat(cell, ResultRow::cleanRmGap), stat(cell, ResultRow::utility))));
    out.sort(Comparator.comparingDouble(GridCell::total).thenComparingDouble(GridCell::alpha));
    return out;
  }

  private static SeedInterval stat(List<ResultRow> rows, ToDoubleFunction<ResultRow> metric) {
    return SeedInterval.of(rows.stream().map(r -> metric.applyAsDouble(r)).toList());
  }

  public boolean isEndpoint() {
    return alpha == 0.0 || alpha == 1.0;
  }
}
