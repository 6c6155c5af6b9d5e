package io.stagewise.poison.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class BudgetTest {

  @Test
  void fractionResolvesToExactFloorInDecimal() {
    // In doubles 0.29 * 100 = 28.999999999999996, which floors to 28.
    assertEquals(28, (long) Math.floor(0.29 * 100));
    assertEquals(29, Budget.fraction("0.29").resolve(100));
    assertEquals(29, Budget.fraction(0.29).resolve(100));
    assertEquals(57, Budget.fraction(0.57).resolve(100));
    assertEquals(0, Budget.fraction("0.29").resolve(3));
    assertEquals(1, Budget.fraction("0.29").resolve(4));
    assertEquals(0, Budget.fraction("0").resolve(1_000));
    assertEquals(1_000, Budget.fraction("1").resolve(1_000));
    assertEquals(0, Budget.fraction("0.5").resolve(0));
    assertEquals(2_899_999_999L, Budget.fraction("0.29").resolve(9_999_999_999L));
  }

  @Test
  void equalValuesAreEqualBudgets() {
    assertEquals(Budget.fraction("0.3"), Budget.fraction("0.30"));
    assertEquals(Budget.fraction("0.3"), Budget.fraction(0.3));
    assertEquals(Budget.count(100), new Budget(Budget.Unit.COUNT, new BigDecimal("100.0")));
    assertEquals("count 100", Budget.count(100).toString());
    assertEquals(100, Budget.count(100).count());
  }

  @Test
  void countResolvesToItselfUpToTheEligibleRows() {
    assertEquals(0, Budget.count(0).resolve(0));
    assertEquals(40, Budget.count(40).resolve(40));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Budget.count(41).resolve(40));
    assertTrue(e.getMessage().contains("budget.count 41 exceeds the 40 eligible rows"), e.getMessage());
  }

  @Test
  void invalidBudgetsNameTheirField() {
    assertMessage("budget.fraction must be in [0, 1]", () -> Budget.fraction("1.01"));
    assertMessage("budget.fraction must be in [0, 1]", () -> Budget.fraction(-0.1));
    assertMessage("budget.fraction must be a decimal number", () -> Budget.fraction("abc"));
    assertMessage("budget.fraction must be a finite number", () -> Budget.fraction(Double.NaN));
    assertMessage("budget.count must be a non-negative whole number", () -> Budget.count(-1));
    assertMessage("budget.count must be a non-negative whole number",
        () -> new Budget(Budget.Unit.COUNT, new BigDecimal("2.5")));
    assertMessage("budget.unit must be set", () -> new Budget(null, BigDecimal.ONE));
  }

  @Test
  void splitGivesAlphaToSftAndTheRestToPreference() {
    BudgetSplit fractions = new BudgetSplit(Budget.fraction("0.1"), 0.3);
    assertEquals(Budget.fraction("0.03"), fractions.sftBudget());
    assertEquals(Budget.fraction("0.07"), fractions.preferenceBudget());
    assertEquals(3, fractions.sftBudget().resolve(100));
    assertEquals(7, fractions.preferenceBudget().resolve(100));

    BudgetSplit counts = new BudgetSplit(Budget.count(101), 0.5);
    assertEquals(Budget.count(50), counts.sftBudget());
    assertEquals(Budget.count(51), counts.preferenceBudget());

    // 0.3 × 100 is 30 in decimal (29.999999999999996 in doubles).
    BudgetSplit thirty = new BudgetSplit(Budget.count(100), 0.3);
    assertEquals(30, thirty.sftBudget().count());
    assertEquals(70, thirty.preferenceBudget().count());

    for (double alpha : new double[] {0.0, 0.1, 0.25, 0.7, 0.99, 1.0}) {
      BudgetSplit split = new BudgetSplit(Budget.count(997), alpha);
      assertEquals(997, split.sftBudget().count() + split.preferenceBudget().count(), "alpha " + alpha);
      BudgetSplit share = new BudgetSplit(Budget.fraction("0.05"), alpha);
      assertEquals(0, new BigDecimal("0.05").compareTo(
          share.sftBudget().value().add(share.preferenceBudget().value())), "alpha " + alpha);
    }
    assertEquals(Budget.count(0), new BudgetSplit(Budget.count(10), 0.0).sftBudget());
    assertEquals(Budget.count(0), new BudgetSplit(Budget.count(10), 1.0).preferenceBudget());
  }

  @Test
  void splitRejectsAlphaOutsideTheUnitInterval() {
    assertMessage("alpha must be in [0, 1]", () -> new BudgetSplit(Budget.count(10), 1.5));
    assertMessage("alpha must be in [0, 1]", () -> new BudgetSplit(Budget.count(10), Double.NaN));
    assertMessage("total must be set", () -> new BudgetSplit(null, 0.5));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
