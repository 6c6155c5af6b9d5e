package io.stagewise.trainer.metrics;

import java.io.PrintStream;
import java.util.Locale;

/** The one-line console progress of a run: {@code step 120/1000 | loss 3.2145 | lr 3.00e-04 | 12.3k tok/s | ETA 4m12s}. */
public final class ProgressLine {

  private final PrintStream out;
  private final long totalSteps;

  public ProgressLine(PrintStream out, long totalSteps) {
    this.out = out;
    this.totalSteps = totalSteps;
  }

  public void step(TrainRecord r) {
    double remaining = r.tokensPerSecond() > 0 && r.step() > 0
        ? (totalSteps - r.step()) * ((double) r.tokens() / r.step()) / r.tokensPerSecond() : Double.NaN;
    out.println(String.format(Locale.ROOT, "step %d/%d | loss %.4f | lr %.2e | %s tok/s | ETA %s",
        r.step(), totalSteps, r.loss(), r.lr(), compact(r.tokensPerSecond()), duration(remaining)));
  }

  public void eval(EvalRecord r) {
    out.println(String.format(Locale.ROOT, "eval @ step %d/%d | loss %.4f over %d targets",
        r.step(), totalSteps, r.loss(), r.targets()));
  }

  static String compact(double value) {
    if (value >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", value / 1e6);
    }
    if (value >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", value / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", value);
  }

  static String duration(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
