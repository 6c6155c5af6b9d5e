package io.stagewise.sweep.report;

/**
 * A cell's metric: the mean over seeds of each seed's mean over prompts, with a 95 % percentile interval
 * from the two-level bootstrap of {@link HierarchicalBootstrap}. With one seed the interval covers prompt
 * sampling only; with prompt-level data missing (a seed-level value only), seeds only.
 *
 * @param mean the observed mean
 * @param low the interval's lower end (the mean when there is nothing to resample)
 * @param high its upper end
 * @param n seeds with a value
 */
public record BootstrapInterval(double mean, double low, double high, int n) {

  public static final BootstrapInterval EMPTY = new BootstrapInterval(Double.NaN, Double.NaN, Double.NaN, 0);

  /** {@code 42.0 [35.0, 49.0]%} (or just the mean without an interval), as a percentage when {@code percent}. */
  public String format(boolean percent) {
    if (n == 0) {
      return "n/a";
    }
    double scale = percent ? 100 : 1;
    String pattern = percent ? "%.1f" : "%.3f";
    String unit = percent ? "%" : "";
    String m = String.format(pattern, mean * scale);
    if (low == high) {
      return m + unit;
    }
    return m + " [" + String.format(pattern, low * scale) + ", " + String.format(pattern, high * scale) + "]" + unit;
  }
}
