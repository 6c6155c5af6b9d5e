package io.stagewise.poison.attack;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How many rows an attacker poisons: a fraction of its eligible rows, or an absolute count.
 *
 * <p>The fraction is kept as the exact decimal the spec wrote ({@link BigDecimal}), because the number
 * poisoned must be exactly {@code floor(fraction × eligible)}: in binary floating point 0.29 × 100 is
 * 28.999…, which floors to 28.
 *
 * @param unit whether {@code value} is a fraction or a count
 * @param value the fraction in [0, 1], or the non-negative whole count
 */
public record Budget(Unit unit, BigDecimal value) {

  /** The unit a budget is written in. */
  public enum Unit {
    FRACTION,
    COUNT
  }

  public Budget {
    if (unit == null) {
      throw new IllegalArgumentException("budget.unit must be set (fraction or count)");
    }
    if (value == null) {
      throw new IllegalArgumentException("budget." + fieldName(unit) + " must be set");
    }
    // One representation per value, so equal budgets are equal records (0.30 and 0.3, 100 and 1E+2).
    value = value.stripTrailingZeros();
    if (unit == Unit.FRACTION && (value.signum() < 0 || value.compareTo(BigDecimal.ONE) > 0)) {
      throw new IllegalArgumentException("budget.fraction must be in [0, 1], got " + value.toPlainString());
    }
    if (unit == Unit.COUNT && (value.signum() < 0 || value.scale() > 0)) {
      throw new IllegalArgumentException(
          "budget.count must be a non-negative whole number, got " + value.toPlainString());
    }
  }

  /** A fraction written as decimal text, e.g. {@code "0.29"}. */
  public static Budget fraction(String decimalText) {
    try {
      return new Budget(Unit.FRACTION, new BigDecimal(decimalText.trim()));
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException("budget.fraction must be a decimal number, got '" + decimalText + "'");
    }
  }

  /**
   * A fraction parsed from a double (e.g. a YAML number). {@link BigDecimal#valueOf(double)} goes through the
   * shortest decimal text of the double, so {@code 0.29} stays exactly 0.29.
   */
  public static Budget fraction(double fraction) {
    if (!Double.isFinite(fraction)) {
      throw new IllegalArgumentException("budget.fraction must be a finite number, got " + fraction);
    }
    return new Budget(Unit.FRACTION, BigDecimal.valueOf(fraction));
  }

  public static Budget count(long count) {
    return new Budget(Unit.COUNT, BigDecimal.valueOf(count));
  }

  public boolean isFraction() {
    return unit == Unit.FRACTION;
  }

  /** The whole count; only for {@link Unit#COUNT} budgets. */
  public long count() {
    if (unit != Unit.COUNT) {
      throw new IllegalStateException("budget is a fraction, not a count: " + this);
    }
    return value.longValueExact();
  }

  /**
   * The number of rows to poison out of {@code eligible}: {@code floor(fraction × eligible)} exactly, or the
   * count, which must not exceed {@code eligible}.
   */
  public long resolve(long eligible) {
    if (eligible < 0) {
      throw new IllegalArgumentException("eligible row count must be >= 0, got " + eligible);
    }
    if (unit == Unit.FRACTION) {
      return value.multiply(BigDecimal.valueOf(eligible)).setScale(0, RoundingMode.FLOOR).longValueExact();
    }
    long count = count();
    if (count > eligible) {
      throw new IllegalArgumentException(
          "budget.count " + count + " exceeds the " + eligible + " eligible rows");
    }
    return count;
  }

  @Override
  public String toString() {
    return fieldName(unit) + " " + value.toPlainString();
  }

  private static String fieldName(Unit unit) {
    return unit == Unit.FRACTION ? "fraction" : "count";
  }
}
