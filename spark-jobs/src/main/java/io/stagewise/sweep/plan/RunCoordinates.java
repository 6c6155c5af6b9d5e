package io.stagewise.sweep.plan;

/**
 * Where one run sits in the grid: the columns every result row carries.
 *
 * @param budgetUnit {@code fraction} or {@code count}: the unit of the three budgets
 * @param total the whole poison budget
 * @param alpha the SFT share
 * @param sftBudget the SFT attacker's budget ({@code alpha × total})
 * @param preferenceBudget the preference attacker's budget
 * @param seed the replicate's seed (attacker selection and training)
 * @param preset the model preset
 */
public record RunCoordinates(String budgetUnit, double total, double alpha, double sftBudget,
    double preferenceBudget, long seed, String preset) {}
