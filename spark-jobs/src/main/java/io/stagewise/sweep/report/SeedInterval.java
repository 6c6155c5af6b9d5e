package io.stagewise.sweep.report;

import java.util.List;

/**
 * The mean of a metric over seeds with a two-sided 95 % Student-t confidence interval,
 * {@code mean ± t(0.975, n−1) · s / √n}. With one seed the interval is undefined (half-width NaN); NaN
 * values (a metric a run could not compute) are left out.
 *
 * @param mean the sample mean
 * @param halfWidth half the interval's width
 * @param n the number of seeds with a value
 */
public record SeedInterval(double mean, double halfWidth, int n) {
  /** t(0.975, df) for df = 1..30; beyond, the normal 1.96 is within 2 %. */
  private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
      2.056, 2.052, 2.048, 2.045, 2.042};

  public static SeedInterval of(List<Double> values) {
    double[] v = values.stream().filter(x -> !Double.isNaN(x)).mapToDouble(Double::doubleValue).toArray();
    int n = v.length;
    if (n == 0) {
      return new SeedInterval(Double.NaN, Double.NaN, 0);
    }
    double mean = java.util.Arrays.stream(v).average().orElseThrow();
    if (n == 1) {
      return new SeedInterval(mean, Double.NaN, 1);
    }
    double ss = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
    double sd = Math.sqrt(ss / (n - 1));
    return new SeedInterval(mean, t975(n - 1) * sd / Math.sqrt(n), n);
  }

  static double t975(int df) {
    return df <= T975.length ? T975[df - 1] : 1.96;
  }

  public double low() {
    return Double.isNaN(halfWidth) ? mean : mean - halfWidth;
  }

  public double high() {
    return Double.isNaN(halfWidth) ? mean : mean + halfWidth;
  }

  /** {@code 0.42 ± 0.05} (or just the mean with one seed), as a percentage when {@code percent}. */
  public String format(boolean percent) {
    if (n == 0) {
      return "n/a";
    }
    double scale = percent ? 100 : 1;
    String unit = percent ? "%" : "";
    String m = String.format(percent ? "%.1f" : "%.3f", mean * scale);
    return Double.isNaN(halfWidth) ? m + unit
        : m + " ± " + String.format(percent ? "%.1f" : "%.3f", halfWidth * scale) + unit;
  }
}
