package io.stagewise.data.build;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.poison.attack.AttackKind;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.BudgetSplit;
import io.stagewise.poison.attack.EligibleRows;
import io.stagewise.poison.attack.Stage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An attacker of a sweep before the grid fixes its budget and seed. Without a fixed budget it takes its
 * stage's share of each split ({@code alpha × total} for SFT, the rest for preference).
 *
 * @param name the attacker's name
 * @param kind what it does
 * @param triggers the triggers it plants
 * @param eligible which rows it may poison (null: the kind's default)
 * @param fixedBudget a budget that does not follow the split, or null
 */
public record AttackerTemplate(String name, AttackKind kind, List<String> triggers, EligibleRows eligible,
    Budget fixedBudget) {

  public AttackerTemplate {
    triggers = List.copyOf(triggers);
    // The attack spec's own checks (kind vs triggers, name), with a stand-in budget.
    new AttackSpec(name, kind == null ? null : kind.stage(), kind, triggers, Budget.count(0), eligible, 0);
  }

  /**
   * Reads one attacker entry ({@code name, kind, triggers, eligible, budget}) at {@code path}, recording every
   * problem in {@code fields} under its own field ({@code path.triggers}, ...); null when the entry is
   * unusable. Other keys are the caller's to check.
   */
  public static AttackerTemplate read(JsonNode entry, String path, SpecFields fields) {
    String name = fields.text(entry, path, "name", null);
    AttackKind kind = fields.convert(path + ".kind", entry.get("kind"),
        n -> AttackKind.fromName(n == null ? null : n.asText()));
    EligibleRows eligible = entry.has("eligible")
        ? fields.convert(path + ".eligible", entry.get("eligible"), n -> EligibleRows.fromName(n.asText()))
        : null;
    Budget budget = fields.budget(entry, path, "budget");
    List<String> triggers = fields.texts(entry, path, "triggers");
    if (kind == null || name == null) {
      return null;
    }
    // The attack spec's own checks, with the kind's stage and a stand-in budget; a blank name was reported above.
    List<AttackSpec.Problem> problems = AttackSpec.problems(name, kind.stage(), kind, triggers, Budget.count(0))
        .stream().filter(p -> !p.field().equals("name")).toList();
    problems.forEach(p -> fields.problem(path + "." + p.field(), p.message()));
    return problems.isEmpty() && !name.isBlank() ? new AttackerTemplate(name, kind, triggers, eligible, budget)
        : null;
  }

  /**
   * Records a problem on every entry of the attacker list at {@code path} that repeats an earlier entry's name,
   * whatever the stages: the name is what labels an attacker's rows (the {@code attacker} column, manifests,
   * results) and keys its selection hash, so two attackers of one name could not be told apart.
   */
  public static void requireUniqueNames(JsonNode list, String path, SpecFields fields) {
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      JsonNode name = list.get(i).get("name");
      if (name != null && name.isTextual() && !name.asText().isBlank()) {
        Integer earlier = first.putIfAbsent(name.asText(), i);
        if (earlier != null) {
          fields.problem(path + "[" + i + "].name", "'" + name.asText() + "' is already the name of " + path + "["
              + earlier + "]; attacker names must be unique (they label the poisoned rows)");
        }
      }
    }
  }

  public Stage stage() {
    return kind.stage();
  }

  /** This attacker in one grid cell. */
  public AttackSpec resolve(BudgetSplit split, long seed) {
    Budget budget = fixedBudget != null ? fixedBudget
        : stage() == Stage.SFT ? split.sftBudget() : split.preferenceBudget();
    return new AttackSpec(name, stage(), kind, triggers, budget, eligible, seed);
  }

  /** This attacker with its fixed budget, where no grid splits one (a dataset family). */
  public AttackSpec resolve(long seed) {
    if (fixedBudget == null) {
      throw new IllegalStateException("attacker " + name + " has no fixed budget");
    }
    return resolve(null, seed);
  }
}
