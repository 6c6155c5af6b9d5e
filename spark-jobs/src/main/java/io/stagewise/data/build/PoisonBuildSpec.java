package io.stagewise.data.build;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.InputPaths;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.BudgetSplit;
import io.stagewise.poison.attack.Stage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code data build} does: apply attackers to published clean datasets, one per stage, and publish the
 * poisoned datasets. YAML form:
 *
 * <pre>
 * sft:        {input: world/sft, output: poisoned/sft}
 * preference: {input: world/preference, output: poisoned/preference}
 * budget_split: {total: {fraction: 0.1}, alpha: 0.5}   # optional
 * attackers:
 *   - {name: sft-attacker, kind: sft_backdoor, triggers: [cf-sudo], seed: 1}
 *   - {name: pref-attacker, kind: trigger_swap, triggers: [cf-sudo], seed: 2, budget: {count: 50}}
 * </pre>
 *
 * An attacker's stage follows from its kind. An attacker without a budget takes its stage's share of the
 * budget split: {@code alpha × total} for SFT, {@code (1 − alpha) × total} for preference.
 *
 * @param stages input and output of each stage that is built
 * @param split the budget split, or null
 * @param attackers resolved attackers, every one with a budget
 */
public record PoisonBuildSpec(Map<Stage, StageIo> stages, BudgetSplit split, List<AttackSpec> attackers) {

  /** Where one stage's clean dataset is read and its poisoned dataset published. */
  public record StageIo(String input, String output) {}

  private static final Set<String> KEYS = Set.of("sft", "preference", "budget_split", "attackers");
  private static final Set<String> ATTACKER_KEYS =
      Set.of("name", "kind", "triggers", "budget", "eligible", "seed");

  public PoisonBuildSpec {
    stages = Collections.unmodifiableMap(new EnumMap<>(stages)); // stage order: SFT, then preference
    attackers = List.copyOf(attackers);
  }

  /** Validates the whole spec; every problem is listed in one error, each naming its field. */
  public static PoisonBuildSpec parse(JsonNode tree) {
    SpecCheck check = new SpecCheck("dataset build spec");
    SpecFields fields = new SpecFields(check);
    fields.onlyKeys(tree, "", KEYS);
    Map<Stage, StageIo> stages = new EnumMap<>(Stage.class);
    for (Stage stage : Stage.values()) {
      JsonNode io = tree.get(stage.specName());
      if (io != null) {
        fields.onlyKeys(io, stage.specName(), Set.of("input", "output"));
        stages.put(stage, new StageIo(fields.text(io, stage.specName(), "input", null),
            fields.text(io, stage.specName(), "output", null)));
      }
    }
    BudgetSplit split = parseSplit(tree.get("budget_split"), fields);
    List<AttackSpec> attackers = parseAttackers(tree.get("attackers"), split, stages, fields, check);
    check.require(!stages.isEmpty(), "sft|preference", "name at least one stage to build");
    check.validate();
    return new PoisonBuildSpec(stages, split, attackers);
  }

  /** The published datasets the build reads, by field ({@code sft.input}, {@code preference.input}). */
  public InputPaths inputs() {
    InputPaths paths = new InputPaths();
    stages.forEach((stage, io) -> paths.add(stage.specName() + ".input", io.input()));
    return paths;
  }

  /** The attackers of one stage, in spec order. */
  public List<AttackSpec> attackers(Stage stage) {
    return attackers.stream().filter(a -> a.stage() == stage).toList();
  }

  private static BudgetSplit parseSplit(JsonNode node, SpecFields fields) {
    if (node == null) {
      return null;
    }
    fields.onlyKeys(node, "budget_split", Set.of("total", "alpha"));
    Budget total = fields.budget(node, "budget_split", "total");
    double alpha = fields.number(node, "budget_split", "alpha", Double.NaN, 0, 1);
    if (total == null || Double.isNaN(alpha)) {
      fields.convert("budget_split", node, n -> {
        throw new IllegalArgumentException("needs both total and alpha");
      });
      return null;
    }
    return fields.convert("budget_split", node, n -> new BudgetSplit(total, alpha));
  }

  private static List<AttackSpec> parseAttackers(JsonNode list, BudgetSplit split, Map<Stage, StageIo> stages,
      SpecFields fields, SpecCheck check) {
    List<AttackSpec> out = new ArrayList<>();
    check.require(list != null && list.isArray() && !list.isEmpty(), "attackers", "must be a non-empty list");
    if (list == null || !list.isArray()) {
      return out;
    }
    Map<Stage, Integer> withoutBudget = new EnumMap<>(Stage.class);
    for (int i = 0; i < list.size(); i++) {
      String path = "attackers[" + i + "]";
      JsonNode a = list.get(i);
      fields.onlyKeys(a, path, ATTACKER_KEYS);
      AttackerTemplate template = AttackerTemplate.read(a, path, fields);
      long seed = fields.integer(a, path, "seed", 0, Long.MIN_VALUE);
      check.require(a.has("budget") || split != null, path + ".budget", "is required when there is no budget_split");
      if (template == null) {
        continue;
      }
      Stage stage = template.stage();
      check.require(stages.containsKey(stage), path + ".kind", template.kind().specName() + " poisons the "
          + stage.specName() + " stage, which the spec does not build");
      if (template.fixedBudget() == null) {
        withoutBudget.merge(stage, 1, Integer::sum);
      }
      if (template.fixedBudget() != null || split != null) {
        out.add(template.resolve(split, seed));
      }
    }
    AttackerTemplate.requireUniqueNames(list, "attackers", fields);
    withoutBudget.forEach((stage, n) -> check.require(n <= 1, "attackers",
        n + " " + stage.specName() + " attackers take their budget from budget_split; give all but one a budget"));
    return out;
  }
}
