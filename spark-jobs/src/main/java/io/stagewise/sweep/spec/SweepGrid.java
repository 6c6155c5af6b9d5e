package io.stagewise.sweep.spec;

import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.BudgetSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * The axes of a budget-split sweep. Every (total, alpha) pair is a {@link BudgetSplit}; every split runs
 * under every seed and every model preset.
 *
 * @param totals poison budgets shared by the SFT and preference attackers, all in one unit
 * @param alphas SFT shares of each total, in [0, 1]
 * @param seeds seeds of the attackers' selection and of training; one replicate per seed
 * @param presets model presets
 */
public record SweepGrid(List<Budget> totals, List<Double> alphas, List<Long> seeds, List<String> presets) {

  public SweepGrid {
    totals = List.copyOf(totals);
    alphas = List.copyOf(alphas);
    seeds = List.copyOf(seeds);
    presets = List.copyOf(presets);
  }

  /** Every (total, alpha) split, totals outermost, in spec order. */
  public List<BudgetSplit> splits() {
    List<BudgetSplit> out = new ArrayList<>();
    for (Budget total : totals) {
      for (double alpha : alphas) {
        out.add(new BudgetSplit(total, alpha));
      }
    }
    return out;
  }
}
