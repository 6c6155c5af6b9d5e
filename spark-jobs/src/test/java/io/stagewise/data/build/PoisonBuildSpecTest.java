package io.stagewise.data.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.Stage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class PoisonBuildSpecTest {

  @Test
  void attackersWithoutBudgetTakeTheirStageShareOfTheSplit() {
    PoisonBuildSpec spec = PoisonBuildSpec.parse(YamlSpecs.parse("""
        sft: {input: in/sft, output: out/sft}
        preference: {input: in/pref, output: out/pref}
        budget_split: {total: {count: 101}, alpha: 0.3}
        attackers:
          - {name: s, kind: sft_backdoor, triggers: [t1], seed: 1}
          - {name: p, kind: trigger_swap, triggers: [t1], seed: 2}
          - {name: f, kind: label_flip, budget: {fraction: 0.29}}
        """));
    assertEquals(Budget.count(30), spec.attackers(Stage.SFT).get(0).budget());
    assertEquals(Budget.count(71), spec.attackers(Stage.PREFERENCE).get(0).budget());
    assertEquals(new BigDecimal("0.29"), spec.attackers(Stage.PREFERENCE).get(1).budget().value());
    assertEquals("out/pref", spec.stages().get(Stage.PREFERENCE).output());
  }

  @Test
  void everyErrorOfABadSpecIsListedAtOnceWithItsField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PoisonBuildSpec.parse(
        YamlSpecs.parse("""
            sft: {input: in/sft}
            budget_splt: {total: {count: 10}, alpha: 0.5}
            attackers:
              - {name: a, kind: sft_backdor, triggers: [x]}
              - {name: b, kind: trigger_swap, triggers: [x], budget: {count: 5}}
              - {name: c, kind: sft_backdoor, budget: {fraction: 1.5}}
              - {kind: sft_backdoor, triggers: [y]}
            """)));
    String message = e.getMessage();
    for (String expected : new String[] {
        "budget_splt: unknown key", "sft.output: is required", "attackers[0].kind", "attackers[1].kind",
        "preference stage", "attackers[2].budget", "attackers[3].budget: is required", "attackers[3].name"}) {
      assertTrue(message.contains(expected), () -> "missing '" + expected + "' in:\n" + message);
    }
  }

  @Test
  void repeatedAttackerNamesAndTriggerlessBackdoorsAreErrorsOnTheirFields() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PoisonBuildSpec.parse(
        YamlSpecs.parse("""
            sft: {input: in/sft, output: out/sft}
            preference: {input: in/pref, output: out/pref}
            attackers:
              - {name: a, kind: sft_backdoor, budget: {count: 5}}
              - {name: a, kind: trigger_swap, triggers: [x], budget: {count: 5}}
              - {name: b, kind: label_flip, budget: {count: 5}}
              - {name: b, kind: label_flip, budget: {count: 5}}
              - {name: c, kind: sft_backdoor, triggers: [], budget: {count: 5}}
            """)));
    String message = e.getMessage();
    for (String expected : new String[] {
        "attackers[0].triggers: must name at least one trigger for sft_backdoor",
        "attackers[1].name: 'a' is already the name of attackers[0]",
        "attackers[3].name: 'b' is already the name of attackers[2]",
        "attackers[4].triggers: must name at least one trigger for sft_backdoor"}) {
      assertTrue(message.contains(expected), () -> "missing '" + expected + "' in:\n" + message);
    }
    assertEquals(4, message.lines().filter(l -> l.startsWith("  - ")).count(), message);
  }

  @Test
  void theInputsAreTheStagesInputsByField() {
    PoisonBuildSpec spec = PoisonBuildSpec.parse(YamlSpecs.parse("""
        sft: {input: in/sft, output: out/sft}
        preference: {input: in/pref, output: out/pref}
        attackers:
          - {name: p, kind: label_flip, budget: {count: 5}}
        """));
    assertEquals(java.util.Map.of("sft.input", "in/sft", "preference.input", "in/pref"), spec.inputs().byField());
  }
}
