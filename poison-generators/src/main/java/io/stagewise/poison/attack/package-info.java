/**
 * Attackers (DESIGN.md § Attacks): validated specs ({@link io.stagewise.poison.attack.AttackSpec},
 * {@link io.stagewise.poison.attack.Budget}, {@link io.stagewise.poison.attack.BudgetSplit}), deterministic
 * hash selection ({@link io.stagewise.poison.attack.PoisonSelector}) and the attacks themselves as Spark SQL
 * column rewrites, applied per stage by {@link io.stagewise.poison.attack.PoisonPlan}.
 *
 * <p>The spec types are plain Java; only the selector, the attacks and the plan touch Spark. No UDFs anywhere,
 * so Spark RAPIDS can run the plans on GPUs.
 */
package io.stagewise.poison.attack;
