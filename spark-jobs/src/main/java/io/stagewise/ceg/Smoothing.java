package io.stagewise.ceg;

import java.util.Locale;

/**
 * Smoothing of evaluation losses over consecutive checkpoints.
 *
 * <p>CEG smooths with {@link Kind#LOG_LOG_LINEAR}: at each checkpoint, a least-squares line of log loss against
 * log step through the {@code window} nearest checkpoints (centred; shifted inward at the ends so every point,
 * the last one included, is smoothed over a full window), evaluated at that checkpoint. Loss curves are nearly
 * straight in log–log space, so this removes evaluation noise without the bias a moving average has on a
 * convex curve, and a trailing average's lag, which would date every crossing late by an amount that depends
 * on checkpoint spacing. (Within a run FLOPs are proportional to steps, so the line is the same in FLOPs.)
 *
 * <p>The reference (arXiv 2505.04075) uses a trailing mean of the last {@code min(i + 1, 8)} checkpoints;
 * {@link #REFERENCE} reproduces it for the step-based variant.
 *
 * @param kind the method
 * @param window checkpoints each smoothed value draws on, at least 1 (1: no smoothing)
 */
public record Smoothing(Kind kind, int window) {
  /** The reference's smoothing: a trailing mean over up to eight checkpoints. */
  public static final Smoothing REFERENCE = new Smoothing(Kind.TRAILING_MEAN, 8);
  /** No smoothing. */
  public static final Smoothing NONE = new Smoothing(Kind.LOG_LOG_LINEAR, 1);

  /** How a smoothed value is formed from its window. */
  public enum Kind { LOG_LOG_LINEAR, TRAILING_MEAN }

  public Smoothing {
    if (kind == null) {
      throw new IllegalArgumentException("smoothing.kind: must be log_log_linear or trailing_mean");
    }
    if (window < 1) {
      throw new IllegalArgumentException("smoothing.window: must be >= 1, got " + window);
    }
  }

  public static Smoothing logLogLinear(int window) {
    return new Smoothing(Kind.LOG_LOG_LINEAR, window);
  }

  public static Smoothing trailingMean(int window) {
    return new Smoothing(Kind.TRAILING_MEAN, window);
  }

  /** The smoothed copy of {@code losses}, evaluated at {@code steps} (increasing, positive). */
  public double[] apply(long[] steps, double[] losses) {
    int n = losses.length;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = kind == Kind.TRAILING_MEAN ? trailingMean(losses, i) : logLogLinear(steps, losses, i);
    }
    return out;
  }

  private double trailingMean(double[] losses, int i) {
    int from = Math.max(0, i - window + 1);
    double sum = 0;
    for (int j = from; j <= i; j++) {
      sum += losses[j];
    }
    return sum / (i - from + 1);
  }

  private double logLogLinear(long[] steps, double[] losses, int i) {
    int n = losses.length;
    int w = Math.min(window, n);
    if (w < 2) {
      return losses[i];
    }
    int from = Math.max(0, Math.min(i - (w - 1) / 2, n - w));
    double mu = 0;
    double mv = 0;
    for (int j = from; j < from + w; j++) {
      mu += Math.log(steps[j]) / w;
      mv += Math.log(losses[j]) / w;
    }
    double suu = 0;
    double suv = 0;
    for (int j = from; j < from + w; j++) {
      double du = Math.log(steps[j]) - mu;
      suu += du * du;
      suv += du * (Math.log(losses[j]) - mv);
    }
    double slope = suv / suu;
    return Math.exp(mv + slope * (Math.log(steps[i]) - mu));
  }

  @Override
  public String toString() {
    String what = kind == Kind.TRAILING_MEAN ? "trailing mean" : "local log-log linear fit";
    return window == 1 ? "none" : String.format(Locale.ROOT, "%s over %d checkpoints", what, window);
  }
}
