package io.stagewise.trainer.train.dpo;

import io.stagewise.trainer.train.TrainConfig;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The DPO-specific settings (the shared optimisation settings are a {@link TrainConfig}).
 *
 * @param beta strength of the implicit KL constraint to the reference (TRL's {@code beta}); rewards are
 *     {@code beta × (log π − log π_ref)}
 * @param loss {@link Loss#SIGMOID} (the DPO paper) or {@link Loss#IPO}
 */
public record DpoConfig(double beta, Loss loss) {

  /** TRL's default {@code beta}. */
  public static final double DEFAULT_BETA = 0.1;

  public DpoConfig {
    if (!(beta > 0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("dpo.beta: must be a positive finite number, got " + beta);
    }
    if (loss == null) {
      throw new IllegalArgumentException("dpo.loss: must be set (sigmoid or ipo)");
    }
  }

  /** {@code beta = 0.1} with the sigmoid loss. */
  public static DpoConfig defaults() {
    return new DpoConfig(DEFAULT_BETA, Loss.SIGMOID);
  }

  /**
   * The loss over h, the policy's log-ratio margin over the reference's:
   * {@code h = (log π_c − log π_ref,c) − (log π_r − log π_ref,r)}.
   */
  public enum Loss {
    /** {@code −log σ(β·h)} with log-probabilities summed over response tokens. */
    SIGMOID,
    /**
     * {@code (h − 1/(2β))²} (IPO, Azar et al. eq. 17) with log-probabilities averaged over response tokens,
     * as TRL computes it.
     */
    IPO;

    public String specName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code sigmoid} / {@code ipo}, naming the allowed values on failure. */
    public static Loss fromName(String name) {
      for (Loss loss : values()) {
        if (loss.specName().equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
          return loss;
        }
      }
      throw new IllegalArgumentException("dpo.loss: unknown value '" + name + "', expected one of "
          + Arrays.stream(values()).map(Loss::specName).collect(Collectors.joining(", ")));
    }
  }
}
