package io.stagewise.ceg;

import java.util.ArrayList;
import java.util.List;

/** Constructed loss curves with known answers: exact power laws on geometric compute grids. */
final class Curves {
  private Curves() {}

  /** {@code L(C) = e + a·C^(−alpha)}. */
  record Law(double e, double a, double alpha) {
    double loss(double c) {
      return e + a * Math.pow(c, -alpha);
    }

    /** The compute at which the law reaches {@code loss}. */
    double compute(double loss) {
      return Math.pow(a / (loss - e), 1 / alpha);
    }

    Law scaledA(double factor) {
      return new Law(e, a * factor, alpha);
    }
  }

  /**
   * {@code n} evaluations every 100 steps at compute {@code from·ratio^i} (log-spaced), losses from {@code law}
   * evaluated at {@code shift·compute}: an innovation that needs {@code 1/shift} of the baseline's compute for
   * every loss. Seconds are compute ÷ {@code flopsPerSecond}.
   */
  static LossCurve sampled(Law law, double from, double ratio, int n, double shift, double flopsPerSecond) {
    List<Checkpoint> points = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double c = from * Math.pow(ratio, i);
      points.add(new Checkpoint(100L * (i + 1), c, c / flopsPerSecond, law.loss(shift * c)));
    }
    return LossCurve.of(points);
  }

  static LossCurve sampled(Law law, double from, double ratio, int n, double shift) {
    return sampled(law, from, ratio, n, shift, 1e6);
  }

  /** A curve with the given losses, evaluated every 100 steps, compute 1000 FLOPs per step. */
  static LossCurve ofLosses(double... losses) {
    List<Checkpoint> points = new ArrayList<>();
    for (int i = 0; i < losses.length; i++) {
      long step = 100L * (i + 1);
      points.add(new Checkpoint(step, 1000.0 * step, Double.NaN, losses[i]));
    }
    return LossCurve.of(points);
  }
}
