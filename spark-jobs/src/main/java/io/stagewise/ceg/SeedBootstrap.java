package io.stagewise.ceg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Resampling of seeds with replacement, and percentile intervals of the statistics computed on the resamples.
 * The generator is seeded, and draws happen in a fixed order, so the same runs always give the same intervals.
 */
public final class SeedBootstrap {
  private final SplittableRandom random;

  public SeedBootstrap(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** As many draws from {@code seeds} as it has, with replacement. */
  public <T> List<T> resample(List<T> seeds) {
    List<T> out = new ArrayList<>(seeds.size());
    for (int i = 0; i < seeds.size(); i++) {
      out.add(seeds.get(random.nextInt(seeds.size())));
    }
    return out;
  }

  /**
   * The central {@code confidence} percentile interval of {@code values} (NaN entries left out; +∞ allowed),
   * with linear interpolation between order statistics; {NaN, NaN} when no value is left.
   */
  public static double[] percentileInterval(double[] values, double confidence) {
    double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (v.length == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double tail = (1 - confidence) / 2;
    return new double[] {quantile(v, tail), quantile(v, 1 - tail)};
  }

  static double quantile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(sorted.length - 1, lo + 1);
    double t = h - lo;
    if (t == 0 || sorted[lo] == sorted[hi]) {
      return sorted[lo];
    }
    return sorted[lo] + t * (sorted[hi] - sorted[lo]);
  }
}
