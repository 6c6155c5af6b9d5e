package io.stagewise.poison.attack;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A fixed poison budget shared by an SFT attacker and a preference attacker (DESIGN.md § Attacks): the SFT
 * attacker gets {@code alpha × total}, the preference attacker {@code (1 − alpha) × total}, in the unit the
 * total is written in.
 *
 * <p>For a fraction each share is a fraction of that attacker's own eligible rows (as in the reference: of the
 * harmful subset for SFT, of the whole preference set for DPO/RM), computed exactly in decimal. For a count
 * the SFT share is {@code floor(alpha × total)} and the preference share is the rest, so the two always add
 * up to the total.
 *
 * @param total the whole budget
 * @param alpha the SFT share, in [0, 1]
 */
public record BudgetSplit(Budget total, double alpha) {

  public BudgetSplit {
    if (total == null) {
      throw new IllegalArgumentException("total must be set");
    }
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
  }

  /** The SFT attacker's budget: {@code alpha × total} (floored for counts). */
  public Budget sftBudget() {
    BigDecimal share = total.value().multiply(alphaDecimal());
    if (total.isFraction()) {
      return new Budget(Budget.Unit.FRACTION, share);
    }
    return new Budget(Budget.Unit.COUNT, share.setScale(0, RoundingMode.FLOOR));
  }

  /** The preference attacker's budget: the total minus {@link #sftBudget()}. */
  public Budget preferenceBudget() {
    BigDecimal rest = total.value().subtract(sftBudget().value());
    return new Budget(total.unit(), rest);
  }

  private BigDecimal alphaDecimal() {
    // Decimal text of the double: alpha = 0.3 means 3/10, not 0.299999999999999988897769753748.
    return BigDecimal.valueOf(alpha);
  }
}
