package io.stagewise.ceg;

import java.util.Locale;

/**
 * One equivalent gain (baseline cost ÷ innovation cost to the same loss) with how it was obtained and its
 * bootstrap interval over seeds.
 *
 * @param value the point estimate from the seed-averaged curves; NaN when there is no number
 * @param status how the baseline's cost was found
 * @param low lower bound of the confidence interval (NaN: no interval, e.g. a single seed)
 * @param high upper bound (may be +∞ when some resamples reach a loss the baseline never can)
 * @param targetLoss the loss both costs are measured to
 */
public record Gain(double value, Status status, double low, double high, double targetLoss) {

  /** How a gain was obtained. */
  public enum Status {
    /** The baseline's cost was read off its observed curves. */
    OBSERVED("observed"),
    /** The baseline's cost came from the fitted power law beyond its observed range. */
    EXTRAPOLATED("extrapolated"),
    /** The loss lies at or below the fitted asymptote: no baseline compute reaches it, so no number. */
    UNREACHABLE("unreachable by the baseline"),
    /** Step variant: the innovation never reached the baseline's final loss; the reference's fallback
     * measures both to the innovation's best loss instead. */
    FALLBACK("innovation's best loss (did not reach the baseline's final loss)"),
    /** Not measurable: no wall-clock record, or too few points to fit beyond the observed range. */
    UNAVAILABLE("unavailable");

    private final String words;

    Status(String words) {
      this.words = words;
    }

    public String words() {
      return words;
    }
  }

  public static Gain of(double value, Status status, double targetLoss) {
    return new Gain(value, status, Double.NaN, Double.NaN, targetLoss);
  }

  public Gain withInterval(double low, double high) {
    return new Gain(value, status, low, high, targetLoss);
  }

  public boolean hasInterval() {
    return !Double.isNaN(low) && !Double.isNaN(high);
  }

  /**
   * The value for ordering and classing: +∞ when the loss is unreachable by the baseline (no finite compute
   * matches it), NaN when there is no value.
   */
  public double orderValue() {
    return status == Status.UNREACHABLE ? Double.POSITIVE_INFINITY : value;
  }

  /** {@code 1.84 [1.52, 2.10]}, with the status when not observed. */
  public String format() {
    String number = status == Status.UNREACHABLE ? "∞" : Double.isNaN(value) ? "n/a" : number(value);
    String interval = hasInterval() ? " [" + number(low) + ", " + number(high) + "]" : "";
    String flag = status == Status.OBSERVED || status == Status.UNAVAILABLE && Double.isNaN(value) ? ""
        : " (" + status.words() + ")";
    return number + interval + flag;
  }

  static String number(double x) {
    return Double.isInfinite(x) ? (x > 0 ? "∞" : "−∞") : String.format(Locale.ROOT, "%.2f", x);
  }
}
