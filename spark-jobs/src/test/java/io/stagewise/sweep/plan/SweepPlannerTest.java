package io.stagewise.sweep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.sweep.CheckedInSweeps;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SweepPlannerTest {

  private static SweepPlan plan(String... overrides) {
    return SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml", overrides));
  }

  @Test
  void sharedPrefixesArePlannedOnce() {
    SweepPlan plan = plan("grid.totals=[{count: 100}, {count: 200}]", "grid.alphas=[0, 0.25, 0.5, 0.75, 1]",
        "grid.seeds=[1, 2]");
    assertEquals(20, plan.runs().size(), "2 totals x 5 alphas x 2 seeds");
    assertEquals(1, plan.count(StageKind.WORLD));
    assertEquals(1, plan.count(StageKind.REWARD_MODEL), "one clean reward model for the whole sweep");
    // SFT budgets {0, 25, 50, 75, 100, 150, 200}: the zero budget is one clean set for both seeds, the other
    // six are per seed; the preference budgets are the same seven values.
    assertEquals(13 + 13, plan.count(StageKind.POISON));
    assertEquals(14, plan.count(StageKind.SFT), "(sft set, seed) pairs: 7 budgets x 2 seeds");
    assertEquals(20, plan.count(StageKind.DPO));
    assertEquals(20, plan.count(StageKind.EVALUATE));
    assertEquals(plan.stages().size(), plan.stages().stream().map(StageNode::key).distinct().count());
  }

  @Test
  void dpoEvaluatesOnTheWorldsHeldOutPairsWhenItsSettingsAskForIt() {
    SweepPlan plan = plan("dpo.eval_batches=4");
    assertEquals(2, plan.count(StageKind.TOKENIZE), "clean preference and held-out preference, once each");
    for (StageNode node : plan.stages()) {
      if (node.kind() == StageKind.DPO) {
        assertEquals("eval-preference", node.parent(SweepPlanner.HELD_OUT).config().get("dataset").asText());
      }
    }
    SweepPlan without = plan("dpo.eval_batches=0");
    assertEquals(1, without.count(StageKind.TOKENIZE));
    assertTrue(without.stages().stream().noneMatch(n -> n.parents().containsKey(SweepPlanner.HELD_OUT)));
  }

  /** Independent attackers (two triggers) add the both-triggers condition; colluding ones keep their keys. */
  @Test
  void independentAttackersAreAlsoEvaluatedWithBothTriggers() {
    SweepPlan independent = plan("attackers=[{name: s, kind: sft_backdoor, triggers: [cf-sudo]},"
        + " {name: p, kind: trigger_swap, triggers: ['Activate bypass mode.']}]");
    for (PlannedRun run : independent.runs()) {
      assertEquals(List.of("cf-sudo", "Activate bypass mode."), run.triggers());
      ObjectNode config = run.evaluation().config();
      assertEquals("[[\"cf-sudo\",\"Activate bypass mode.\"]]", config.get(SweepPlanner.TRIGGER_PAIRS).toString());
    }
    assertEquals("cf-sudo + Activate bypass mode.", SweepPlanner.pairLabel("cf-sudo", "Activate bypass mode."));
    assertTrue(plan().runs().stream().noneMatch(r -> r.evaluation().config().has(SweepPlanner.TRIGGER_PAIRS)));
  }

  @Test
  void everyParentPrecedesItsChildren() {
    Set<String> seen = new HashSet<>();
    for (StageNode node : plan().stages()) {
      node.parents().values().forEach(p -> assertTrue(seen.contains(p.key()), node.label() + " before " + p.label()));
      seen.add(node.key());
    }
  }

  @Test
  void changingDpoBetaChangesOnlyDpoAndEvaluationKeys() {
    assertChangedKinds(plan(), plan("dpo.beta=0.2"), EnumSet.of(StageKind.DPO, StageKind.EVALUATE));
  }

  @Test
  void changingTheSftLearningRateChangesSftAndItsDescendants() {
    assertChangedKinds(plan(), plan("sft.lr=0.001"), EnumSet.of(StageKind.SFT, StageKind.DPO, StageKind.EVALUATE));
  }

  @Test
  void executionSettingsAreNotPartOfAnyKey() {
    assertChangedKinds(plan(), plan("execution.training_slots=1", "execution.intra_op_threads=2"),
        EnumSet.noneOf(StageKind.class));
  }

  @Test
  void keysIgnoreFieldOrder() {
    ObjectNode a = SweepPlanner.json().createObjectNode().put("x", 1).put("y", "z");
    ObjectNode b = SweepPlanner.json().createObjectNode().put("y", "z").put("x", 1);
    assertEquals(StageNode.of(StageKind.WORLD, "a", a, Map.of()).key(),
        StageNode.of(StageKind.WORLD, "b", b, Map.of()).key());
  }

  /** Every stage of {@code changed} kinds has a new key; every other stage keeps its key. */
  private static void assertChangedKinds(SweepPlan before, SweepPlan after, Set<StageKind> changed) {
    Set<String> old = before.stages().stream().map(StageNode::key).collect(Collectors.toSet());
    Map<StageKind, List<Boolean>> reused = after.stages().stream().collect(Collectors.groupingBy(StageNode::kind,
        Collectors.mapping(n -> old.contains(n.key()), Collectors.toList())));
    reused.forEach((kind, flags) -> assertTrue(flags.stream().allMatch(r -> r != changed.contains(kind)),
        kind + (changed.contains(kind) ? " must all change" : " must all be reused") + ": " + flags));
    assertEquals(before.stages().size(), after.stages().size());
  }
}
