package io.stagewise.poison.attack;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One attacker (DESIGN.md § Attacks): {@code {name, stage, kind, triggers, budget, eligible, seed}}.
 *
 * <p>Validated once, here; every problem is reported in one error, each naming its field. A null
 * {@code eligible} takes the kind's default ({@link AttackKind#defaultEligible()}); null triggers mean none.
 *
 * @param name the attacker's name, written to the {@code attacker} column and part of its selection hash
 * @param stage the stage it poisons; must be its kind's stage
 * @param kind what it does to a selected row
 * @param triggers the triggers it plants, spread round-robin over its rows; none for {@code label_flip},
 *     at least one non-blank for the other kinds
 * @param budget how many eligible rows it poisons
 * @param eligible which rows it may poison
 * @param seed seeds its selection hash
 */
public record AttackSpec(
    String name,
    Stage stage,
    AttackKind kind,
    List<String> triggers,
    Budget budget,
    EligibleRows eligible,
    long seed) {

  public AttackSpec {
    triggers = triggers == null ? List.of() : List.copyOf(nullSafe(triggers));
    if (eligible == null && kind != null) {
      eligible = kind.defaultEligible();
    }
    List<String> errors = new ArrayList<>();
    if (name == null || name.isBlank()) {
      errors.add("name must be a non-blank string");
    }
    if (stage == null) {
      errors.add("stage must be set (sft or preference)");
    }
    if (kind == null) {
      errors.add("kind must be set (sft_backdoor, trigger_swap or label_flip)");
    } else {
      checkKind(kind, stage, triggers, errors);
    }
    if (budget == null) {
      errors.add("budget must be set (a fraction or a count)");
    }
    if (!errors.isEmpty()) {
      String who = name == null || name.isBlank() ? "attacker" : "attacker '" + name + "'";
      throw new IllegalArgumentException(who + ": " + String.join("; ", errors));
    }
  }

  /** A spec with the kind's stage and default eligible rows. */
  public static AttackSpec of(String name, AttackKind kind, List<String> triggers, Budget budget, long seed) {
    return new AttackSpec(name, kind == null ? null : kind.stage(), kind, triggers, budget, null, seed);
  }

  /** {@link Budget#resolve(long)}, with errors naming this attacker. */
  public long resolveBudget(long eligibleRows) {
    try {
      return budget.resolve(eligibleRows);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("attacker '" + name + "': " + e.getMessage(), e);
    }
  }

  private static void checkKind(AttackKind kind, Stage stage, List<String> triggers, List<String> errors) {
    if (stage != null && kind.stage() != stage) {
      errors.add("kind " + kind.specName() + " poisons the " + kind.stage().specName()
          + " stage, but stage is " + stage.specName());
    }
    if (!kind.usesTriggers() && !triggers.isEmpty()) {
      errors.add("triggers must be empty for " + kind.specName() + ", got " + triggers);
      return;
    }
    if (kind.usesTriggers() && triggers.isEmpty()) {
      errors.add("triggers must name at least one trigger for " + kind.specName());
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < triggers.size(); i++) {
      String trigger = triggers.get(i);
      if (trigger.isBlank()) {
        errors.add("triggers[" + i + "] must be non-blank");
      } else if (!trigger.equals(trigger.strip())) {
        // The attacks put exactly one space before the trigger; edge whitespace would hide it in the text.
        errors.add("triggers[" + i + "] must not start or end with whitespace: '" + trigger + "'");
      } else if (!seen.add(trigger)) {
        errors.add("triggers[" + i + "] repeats '" + trigger + "'");
      }
    }
  }

  private static List<String> nullSafe(List<String> triggers) {
    List<String> copy = new ArrayList<>(triggers.size());
    for (String trigger : triggers) {
      copy.add(trigger == null ? "" : trigger);
    }
    return copy;
  }
}
