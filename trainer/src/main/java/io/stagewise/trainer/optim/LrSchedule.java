package io.stagewise.trainer.optim;

/**
 * Linear warmup to the peak learning rate, then cosine decay to {@code minLrRatio × peak} at
 * {@code totalSteps} (and flat after it). Steps are 1-based: step 1 is the first optimizer update.
 */
public record LrSchedule(double peakLr, int warmupSteps, int totalSteps, double minLrRatio) {

  public LrSchedule {
    if (!(peakLr > 0) || Double.isInfinite(peakLr)) {
      throw new IllegalArgumentException("lr must be a positive finite number, got " + peakLr);
    }
    if (warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException("warmup_steps must be in [0, steps=" + totalSteps + "], got "
          + warmupSteps);
    }
    if (totalSteps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + totalSteps);
    }
    if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
      throw new IllegalArgumentException("min_lr_ratio must be in [0, 1], got " + minLrRatio);
    }
  }

  /** The learning rate of update {@code step} (1-based). */
  public double lr(long step) {
    if (step <= warmupSteps) {
      return peakLr * step / warmupSteps;
    }
    double floor = peakLr * minLrRatio;
    if (step >= totalSteps) {
      return floor;
    }
    double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
    return floor + 0.5 * (peakLr - floor) * (1 + Math.cos(Math.PI * progress));
  }
}
