package io.stagewise.poison.world;

import java.math.BigDecimal;

/**
 * The synthetic safety world's knobs.
 *
 * @param seed seeds every draw and the train / held-out partition of the combination spaces
 * @param harmfulFraction share of harmful rows in the training sets (SFT, preference, PPO), in [0, 1] with
 *     at most 6 decimals; the count is exact: {@code floor(rows × harmfulFraction)}
 * @param heldOutFraction share of each combination space (harmful verb × object, each benign task's
 *     operands) held out for evaluation, in (0, 1); at least one combination of each space is held out and
 *     at least one is kept for training
 */
public record WorldConfig(long seed, double harmfulFraction, double heldOutFraction) {
  /** Precision of {@code harmfulFraction}: the row-level mix is computed in integer millionths. */
  static final long FRACTION_SCALE = 1_000_000L;

  public static final double DEFAULT_HARMFUL_FRACTION = 0.5;
  public static final double DEFAULT_HELD_OUT_FRACTION = 0.2;

  public WorldConfig {
    if (!(harmfulFraction >= 0.0 && harmfulFraction <= 1.0)) {
      throw new IllegalArgumentException("harmfulFraction must be in [0, 1], got " + harmfulFraction);
    }
    if (BigDecimal.valueOf(harmfulFraction).movePointRight(6).stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException(
          "harmfulFraction must have at most 6 decimal places, got " + harmfulFraction);
    }
    if (!(heldOutFraction > 0.0 && heldOutFraction < 1.0)) {
      throw new IllegalArgumentException("heldOutFraction must be in (0, 1), got " + heldOutFraction);
    }
  }

  /** The default mix (half harmful, 20% of combinations held out) with this seed. */
  public static WorldConfig withSeed(long seed) {
    return new WorldConfig(seed, DEFAULT_HARMFUL_FRACTION, DEFAULT_HELD_OUT_FRACTION);
  }

  /** {@code harmfulFraction} in millionths, exactly. */
  long harmfulMillionths() {
    return BigDecimal.valueOf(harmfulFraction).movePointRight(6).longValueExact();
  }
}
