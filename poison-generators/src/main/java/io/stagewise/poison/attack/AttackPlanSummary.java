package io.stagewise.poison.attack;

/**
 * What one attacker of a {@link PoisonPlan} did, for the dataset manifest.
 *
 * @param attacker the attacker's name
 * @param kind its attack kind
 * @param eligible the number of rows it was eligible to poison (its budget fraction is of these)
 * @param poisoned the number of rows it poisoned: its budget resolved against {@code eligible}
 */
public record AttackPlanSummary(String attacker, AttackKind kind, long eligible, long poisoned) {}
