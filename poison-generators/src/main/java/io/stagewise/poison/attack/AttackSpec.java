package io.stagewise.poison.attack;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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
    List<Problem> problems = problems(name, stage, kind, triggers, budget);
    if (!problems.isEmpty()) {
      String who = name == null || name.isBlank() ? "attacker" : "attacker '" + name + "'";
      throw new IllegalArgumentException(who + ": "
          + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
    }
  }

  /**
   * One thing wrong with an attacker, and the field it is in, so that a spec reader can record it under the
   * field's full path.
   *
   * @param field the field's name ({@code name}, {@code triggers}, {@code triggers[1]}, ...)
   * @param message what is wrong with it
   */
  public record Problem(String field, String message) {
    @Override
    public String toString() {
      return field + " " + message;
    }
  }

  /** Everything wrong with these values (null triggers are none), each naming its field; empty when valid. */
  public static List<Problem> problems(String name, Stage stage, AttackKind kind, List<String> triggers,
      Budget budget) {
    List<String> given = triggers == null ? List.of() : nullSafe(triggers);
    List<Problem> problems = new ArrayList<>();
    if (name == null || name.isBlank()) {
      problems.add(new Problem("name", "must be a non-blank string"));
    }
    if (stage == null) {
      problems.add(new Problem("stage", "must be set (sft or preference)"));
    }
    if (kind == null) {
      problems.add(new Problem("kind", "must be set (sft_backdoor, trigger_swap or label_flip)"));
    } else {
      checkKind(kind, stage, given, problems);
    }
    if (budget == null) {
      problems.add(new Problem("budget", "must be set (a fraction or a count)"));
    }
    return problems;
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

  private static void checkKind(AttackKind kind, Stage stage, List<String> triggers, List<Problem> problems) {
    if (stage != null && kind.stage() != stage) {
      problems.add(new Problem("kind", kind.specName() + " poisons the " + kind.stage().specName()
          + " stage, but stage is " + stage.specName()));
    }
    if (!kind.usesTriggers() && !triggers.isEmpty()) {
      problems.add(new Problem("triggers", "must be empty for " + kind.specName() + ", got " + triggers));
      return;
    }
    if (kind.usesTriggers() && triggers.isEmpty()) {
      problems.add(new Problem("triggers", "must name at least one trigger for " + kind.specName()
          + " (it is what the attack plants)"));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < triggers.size(); i++) {
      String trigger = triggers.get(i);
      String field = "triggers[" + i + "]";
      if (trigger.isBlank()) {
        problems.add(new Problem(field, "must be non-blank"));
      } else if (!trigger.equals(trigger.strip())) {
        // The attacks put exactly one space before the trigger; edge whitespace would hide it in the text.
        problems.add(new Problem(field, "must not start or end with whitespace: '" + trigger + "'"));
      } else if (!seen.add(trigger)) {
        problems.add(new Problem(field, "repeats '" + trigger + "'"));
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
