package io.stagewise.sweep.report;

import io.stagewise.ceg.SeedBootstrap;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The two-level (hierarchical) bootstrap of a budget-split sweep's metrics. A cell's data is, per seed, one
 * value per evaluated prompt (1/0 for "compliant", a score for the RM gap); its statistic is the mean over
 * seeds of each seed's mean over prompts. One resample draws as many seeds as the cell has, with replacement,
 * then for each drawn seed as many prompts as it has, with replacement; intervals are the central 95 %
 * percentiles of {@value #RESAMPLES} resamples from a fixed generator seed, so a report is reproducible.
 *
 * <p>Assumptions: seeds are exchangeable replicates of training, and prompts are exchangeable draws from the
 * prompt population (the same held-out prompts in every run). Resampling both levels counts training
 * randomness and prompt sampling; with few seeds the seed level has few distinct resamples (two seeds: three)
 * and the interval understates training randomness.
 *
 * <p>The split test compares cells jointly: each resample draws seeds among those every cell has and one set of
 * prompt positions shared by all cells (the same prompts, since every run evaluates the same list), so the
 * comparison is paired by seed and by prompt, and the statistic, best interior cell minus best endpoint cell,
 * re-selects both bests in every resample (the choice of "best" is part of what is resampled).
 */
public final class HierarchicalBootstrap {
  public static final int RESAMPLES = 2000;
  public static final double CONFIDENCE = 0.95;
  private static final long GENERATOR_SEED = 1;

  private final int resamples;

  public HierarchicalBootstrap() {
    this(RESAMPLES);
  }

  HierarchicalBootstrap(int resamples) {
    this.resamples = resamples;
  }

  /**
   * The outcome of the split test.
   *
   * @param observed best interior cell's mean minus best endpoint cell's mean, on the seeds all cells share
   * @param low the 95 % percentile interval's lower end
   * @param high its upper end
   * @param pValue two-sided bootstrap p-value of "no difference": twice the smaller share of resampled
   *     differences at or beyond zero on either side, {@code (1 + count) / (1 + resamples)}, at most 1
   * @param seeds the shared seeds resampled
   * @param resamples bootstrap resamples drawn
   */
  public record SplitTest(double observed, double low, double high, double pValue, int seeds, int resamples) {}

  /** The cell's mean and interval; {@link BootstrapInterval#EMPTY} without data. */
  public BootstrapInterval interval(SortedMap<Long, double[]> cell) {
    if (cell.isEmpty()) {
      return BootstrapInterval.EMPTY;
    }
    double mean = mean(cell);
    boolean nothingToResample = cell.size() == 1 && cell.values().iterator().next().length == 1;
    if (nothingToResample) {
      return new BootstrapInterval(mean, mean, mean, 1);
    }
    double[] bounds = SeedBootstrap.percentileInterval(draws(cell), CONFIDENCE);
    return new BootstrapInterval(mean, bounds[0], bounds[1], cell.size());
  }

  /** The resampled statistics of one cell (exposed for tests of the resampling itself). */
  double[] draws(SortedMap<Long, double[]> cell) {
    SplittableRandom random = new SplittableRandom(GENERATOR_SEED);
    List<SortedMap<Long, double[]>> one = List.of(cell);
    List<Long> seeds = new ArrayList<>(cell.keySet());
    double[] out = new double[resamples];
    for (int b = 0; b < resamples; b++) {
      out[b] = resampledMeans(one, seeds, random)[0];
    }
    return out;
  }

  /** Best of {@code splits} minus best of {@code endpoints}, paired; null when the cells share no seed. */
  public SplitTest bestSplitMinusBestEndpoint(List<SortedMap<Long, double[]>> splits,
      List<SortedMap<Long, double[]>> endpoints) {
    List<SortedMap<Long, double[]>> all = new ArrayList<>(splits);
    all.addAll(endpoints);
    List<Long> shared = new ArrayList<>(all.get(0).keySet());
    all.forEach(c -> shared.retainAll(c.keySet()));
    if (shared.isEmpty()) {
      return null;
    }
    List<SortedMap<Long, double[]>> cells = all.stream().map(c -> restrict(c, shared)).toList();
    double[] observedMeans = cells.stream().mapToDouble(HierarchicalBootstrap::mean).toArray();
    double observed = difference(observedMeans, splits.size());
    SplittableRandom random = new SplittableRandom(GENERATOR_SEED);
    double[] t = new double[resamples];
    int atOrBelow = 0;
    int atOrAbove = 0;
    for (int b = 0; b < resamples; b++) {
      t[b] = difference(resampledMeans(cells, shared, random), splits.size());
      atOrBelow += t[b] <= 0 ? 1 : 0;
      atOrAbove += t[b] >= 0 ? 1 : 0;
    }
    double[] bounds = SeedBootstrap.percentileInterval(t, CONFIDENCE);
    double p = Math.min(1, 2.0 * (1 + Math.min(atOrBelow, atOrAbove)) / (1 + resamples));
    return new SplitTest(observed, bounds[0], bounds[1], p, shared.size(), resamples);
  }

  /** Max of the first {@code splits} means minus max of the rest. */
  private static double difference(double[] means, int splits) {
    double split = Double.NEGATIVE_INFINITY;
    double endpoint = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < means.length; i++) {
      if (i < splits) {
        split = Math.max(split, means[i]);
      } else {
        endpoint = Math.max(endpoint, means[i]);
      }
    }
    return split - endpoint;
  }

  /**
   * One joint resample of every cell: {@code seeds.size()} seed draws; for each, prompt positions drawn once as
   * uniforms and mapped onto each cell's prompt count (the same positions when the counts agree).
   */
  private static double[] resampledMeans(List<SortedMap<Long, double[]>> cells, List<Long> seeds,
      SplittableRandom random) {
    double[] sums = new double[cells.size()];
    int k = seeds.size();
    for (int j = 0; j < k; j++) {
      Long seed = seeds.get(random.nextInt(k));
      int n = cells.stream().mapToInt(c -> c.get(seed).length).max().orElseThrow();
      double[] u = new double[n];
      for (int i = 0; i < n; i++) {
        u[i] = random.nextDouble();
      }
      for (int c = 0; c < cells.size(); c++) {
        double[] x = cells.get(c).get(seed);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
          sum += x[(int) (u[i] * x.length)];
        }
        sums[c] += sum / x.length;
      }
    }
    for (int c = 0; c < sums.length; c++) {
      sums[c] /= k;
    }
    return sums;
  }

  /** The mean over seeds of each seed's mean over prompts. */
  static double mean(SortedMap<Long, double[]> cell) {
    double sum = 0;
    for (double[] x : cell.values()) {
      double s = 0;
      for (double v : x) {
        s += v;
      }
      sum += s / x.length;
    }
    return sum / cell.size();
  }

  private static SortedMap<Long, double[]> restrict(SortedMap<Long, double[]> cell, List<Long> seeds) {
    SortedMap<Long, double[]> out = new TreeMap<>();
    seeds.forEach(s -> out.put(s, cell.get(s)));
    return out;
  }
}
