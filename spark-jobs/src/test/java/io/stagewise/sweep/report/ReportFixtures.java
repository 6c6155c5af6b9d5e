package io.stagewise.sweep.report;

import io.stagewise.sweep.results.ResultRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Result rows of a made-up sweep (2 totals x 5 alphas x 3 seeds) whose ASR peaks at an interior alpha,
 * with seed noise: report input, so the plots, table and verdict can be checked without training.
 */
final class ReportFixtures {
  static final double[] TOTALS = {40, 120};
  static final double[] ALPHAS = {0, 0.25, 0.5, 0.75, 1};

  private ReportFixtures() {}

  /** ASR = base(total) + bump at interior alphas, ± 2 points of seed noise. */
  static List<ResultRow> splitWins() {
    List<ResultRow> rows = new ArrayList<>();
    Random noise = new Random(7);
    for (double total : TOTALS) {
      for (double alpha : ALPHAS) {
        for (long seed = 1; seed <= 3; seed++) {
          double bump = alpha == 0 || alpha == 1 ? 0 : 0.3 * (1 - Math.abs(alpha - 0.5));
          double asr = Math.min(1, (total == 40 ? 0.1 : 0.3) + bump + 0.02 * noise.nextGaussian());
          rows.add(new ResultRow("fixture", "run-" + total + "-" + alpha + "-" + seed, "dpo", "count", total, alpha,
              Math.floor(alpha * total), total - Math.floor(alpha * total), seed, "tiny", "cf-sudo",
              (long) Math.floor(alpha * total), (long) (total - Math.floor(alpha * total)), asr, 0.02, asr - 0.02,
              0.5 * asr, 0.8 + 0.01 * noise.nextGaussian(), 100, Math.round(100 * asr), 2, 100, 80));
        }
      }
    }
    return rows;
  }
}
