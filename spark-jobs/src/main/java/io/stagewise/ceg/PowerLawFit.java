package io.stagewise.ceg;

/**
 * {@code L(x) = E + A·x^(−α)} fitted by least squares on the loss, used to extrapolate a baseline beyond the
 * compute it was observed at.
 *
 * <p>The fit profiles out {@code E}: for a fixed {@code E} the model is linear in log space,
 * {@code log(L − E) = log A − α·log x}, solved exactly by ordinary least squares; the {@code E} with the least
 * squared loss residual is found on a grid over {@code [0, min L)} and refined by golden-section search in the
 * bracket around the best grid point. No random start, no iteration limit to hit: the same points always
 * give the same fit.
 *
 * @param e the irreducible loss (asymptote), {@code >= 0}
 * @param a the scale
 * @param alpha the exponent, {@code > 0}
 * @param rmse root mean squared loss residual over the fitted points
 * @param points how many points were fitted
 */
public record PowerLawFit(double e, double a, double alpha, double rmse, int points) {
  /** Fewest points a three-parameter fit is attempted on. */
  public static final int MIN_POINTS = 3;
  private static final int GRID = 200;
  private static final int REFINE_ITERATIONS = 60;

  /** The fitted loss at {@code x}. */
  public double loss(double x) {
    return e + a * Math.pow(x, -alpha);
  }

  /** The {@code x} at which the fitted curve reaches {@code loss}; NaN when {@code loss <= E} (never). */
  public double reach(double loss) {
    return loss <= e ? Double.NaN : Math.pow(a / (loss - e), 1 / alpha);
  }

  /** The fit of {@code (x[i], loss[i])}, or null when fewer than {@link #MIN_POINTS} or no decreasing law fits. */
  public static PowerLawFit fit(double[] x, double[] loss) {
    if (x.length != loss.length) {
      throw new IllegalArgumentException("x and loss differ in length: " + x.length + " vs " + loss.length);
    }
    if (x.length < MIN_POINTS) {
      return null;
    }
    double min = Double.POSITIVE_INFINITY;
    for (double l : loss) {
      min = Math.min(min, l);
    }
    double[] u = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      u[i] = Math.log(x[i]);
    }
    int best = -1;
    double bestSse = Double.POSITIVE_INFINITY;
    for (int j = 0; j < GRID; j++) {
      double sse = profile(u, loss, min * j / GRID)[3];
      if (sse < bestSse) {
        bestSse = sse;
        best = j;
      }
    }
    if (best < 0) {
      return null;
    }
    double lo = min * Math.max(0, best - 1) / GRID;
    double hi = min * Math.min(GRID - 0.5, best + 1) / GRID; // stays below min L so log(L − E) exists
    double e = goldenSection(u, loss, lo, hi);
    double[] p = profile(u, loss, e);
    if (!(p[3] <= bestSse)) {
      e = min * best / GRID;
      p = profile(u, loss, e);
    }
    return new PowerLawFit(e, p[1], p[2], Math.sqrt(p[3] / x.length), x.length);
  }

  private static double goldenSection(double[] u, double[] loss, double lo, double hi) {
    double ratio = (Math.sqrt(5) - 1) / 2;
    double c = hi - ratio * (hi - lo);
    double d = lo + ratio * (hi - lo);
    double fc = profile(u, loss, c)[3];
    double fd = profile(u, loss, d)[3];
    for (int i = 0; i < REFINE_ITERATIONS; i++) {
      if (fc <= fd) {
        hi = d;
        d = c;
        fd = fc;
        c = hi - ratio * (hi - lo);
        fc = profile(u, loss, c)[3];
      } else {
        lo = c;
        c = d;
        fc = fd;
        d = lo + ratio * (hi - lo);
        fd = profile(u, loss, d)[3];
      }
    }
    return (lo + hi) / 2;
  }

  /** For a fixed {@code e}: {e, A, α, squared loss residual}; the residual is infinite when no decreasing law fits. */
  private static double[] profile(double[] u, double[] loss, double e) {
    int n = u.length;
    double mu = 0;
    double mv = 0;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = Math.log(loss[i] - e);
      mu += u[i] / n;
      mv += v[i] / n;
    }
    double suu = 0;
    double suv = 0;
    for (int i = 0; i < n; i++) {
      suu += (u[i] - mu) * (u[i] - mu);
      suv += (u[i] - mu) * (v[i] - mv);
    }
    double slope = suu == 0 ? 0 : suv / suu;
    double alpha = -slope;
    double a = Math.exp(mv - slope * mu);
    if (!(alpha > 0) || !Double.isFinite(a)) {
      return new double[] {e, a, alpha, Double.POSITIVE_INFINITY};
    }
    double sse = 0;
    for (int i = 0; i < n; i++) {
      double r = loss[i] - (e + a * Math.exp(-alpha * u[i]));
      sse += r * r;
    }
    return new double[] {e, a, alpha, Double.isFinite(sse) ? sse : Double.POSITIVE_INFINITY};
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "L(x) = %.4f + %.4g·x^(−%.4f) (rmse %.4f over %d points)", e, a,
        alpha, rmse, points);
  }
}
