package io.stagewise.trainer.train.ppo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The per-token estimators of KL(π ‖ π_ref) that PPO's reward penalty uses (TRL's {@code kl_estimator}, after
 * Schulman's "Approximating KL divergence"), from a sampled token's log-ratio {@code logr = log π_ref − log π}.
 */
public enum KlEstimator {
  /** {@code −logr}: unbiased, but negative for some tokens and of high variance. */
  K1,
  /** {@code (e^logr − 1) − logr}: unbiased, never negative, of lower variance. */
  K3;

  /** The estimate for one token sampled from the policy. */
  public double perToken(double logProb, double refLogProb) {
    double logr = refLogProb - logProb;
    return switch (this) {
      case K1 -> -logr;
      case K3 -> Math.expm1(logr) - logr;
    };
  }

  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code k1} / {@code k3}, naming the allowed values on failure. */
  public static KlEstimator fromName(String name) {
    for (KlEstimator estimator : values()) {
      if (estimator.specName().equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
        return estimator;
      }
    }
    throw new IllegalArgumentException("ppo.klEstimator: unknown value '" + name + "', expected one of "
        + Arrays.stream(values()).map(KlEstimator::specName).collect(Collectors.joining(", ")));
  }
}
