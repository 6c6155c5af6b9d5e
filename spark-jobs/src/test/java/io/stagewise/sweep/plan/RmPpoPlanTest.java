package io.stagewise.sweep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.stagewise.sweep.CheckedInSweeps;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The sft-rm-ppo DAG: its shape, what it shares, and where PPO's prompts and reward come from. */
class RmPpoPlanTest {

  private static SweepPlan plan(String... overrides) {
    return SweepPlanner.plan(CheckedInSweeps.spec("quickstart-ppo.yaml", overrides));
  }

  @Test
  void plansOnePoisonedRewardModelAndOnePpoRunPerCell() {
    SweepPlan plan = plan("grid.totals=[{count: 100}, {count: 200}]", "grid.alphas=[0, 0.5, 1]", "grid.seeds=[1, 2]");
    assertEquals(12, plan.runs().size(), "2 totals x 3 alphas x 2 seeds");
    // RM budgets {0, 50, 100, 200}: one poisoned RM per (budget, seed), the zero budget's too (its seed differs),
    // plus the clean one.
    assertEquals(4 * 2 + 1, plan.count(StageKind.REWARD_MODEL));
    assertEquals(12, plan.count(StageKind.PPO));
    assertEquals(0, plan.count(StageKind.DPO));
    assertEquals(12, plan.count(StageKind.EVALUATE));
    // clean preference, held-out pairs, held-out pairs with the one trigger
    assertEquals(3, plan.count(StageKind.TOKENIZE));
    assertEquals(plan.stages().size(), plan.stages().stream().map(StageNode::key).distinct().count());
  }

  @Test
  void everySftModelFeedsEveryRewardModelBudgetWithTheSameSftBudget() {
    SweepPlan plan = plan("grid.totals=[{count: 100}, {count: 200}]", "grid.alphas=[0, 0.5, 1]", "grid.seeds=[1]");
    // SFT budgets {0, 50, 100, 200}: total 100 alpha 1 and total 200 alpha 0.5 share the SFT model of budget 100.
    assertEquals(4, plan.count(StageKind.SFT));
    Set<StageNode> sftOfBudget100 = plan.runs().stream().filter(r -> r.coordinates().sftBudget() == 100)
        .map(r -> policy(r).parent(SweepPlanner.POLICY)).collect(Collectors.toSet());
    assertEquals(1, sftOfBudget100.size());
    List<PlannedRun> sharing = plan.runs().stream().filter(r -> r.coordinates().sftBudget() == 100).toList();
    assertEquals(2, sharing.size());
    assertNotEquals(sharing.get(0).attackedRewardModel().key(), sharing.get(1).attackedRewardModel().key(),
        "RM budgets 0 and 100 train different reward models on one SFT model's runs");
  }

  @Test
  void ppoOptimisesThePoisonedRewardModelOnItsOwnPoisonedPrompts() {
    for (PlannedRun run : plan().runs()) {
      StageNode ppo = policy(run);
      assertEquals(StageKind.PPO, ppo.kind());
      StageNode rm = ppo.parent(SweepPlanner.REWARD_MODEL);
      assertSame(run.attackedRewardModel(), rm);
      assertSame(run.preferenceData(), ppo.parent(SweepPlanner.DATA), "PPO's prompts are the poisoned pairs'");
      assertSame(run.preferenceData(), rm.parent(SweepPlanner.DATA), "the RM trains on the same poisoned set");
      assertEquals(StageKind.SFT, ppo.parent(SweepPlanner.POLICY).kind());
      assertEquals("cf-sudo", rm.parent(SweepPlanner.HELD_OUT_TRIGGERED + 0).config().get("trigger").asText());
      assertNull(rm.parent(SweepPlanner.HELD_OUT).config().get("trigger"));
      assertEquals("ppo", run.policyName());
      StageNode cleanRm = run.evaluation().parent(SweepPlanner.REWARD_MODEL);
      assertEquals(StageKind.TOKENIZE, cleanRm.parent(SweepPlanner.DATA).kind(), "the gap is the clean RM's");
      assertEquals(run.coordinates().preferenceBudget(),
          rm.parent(SweepPlanner.DATA).config().get("attackers").get(0).get("budget").get("count").asDouble());
    }
  }

  @Test
  void changingAPpoKnobChangesOnlyPpoAndEvaluationKeys() {
    Set<String> before = plan().stages().stream().map(StageNode::key).collect(Collectors.toSet());
    for (StageNode node : plan("ppo.kl_coef=0.1").stages()) {
      boolean downstream = node.kind() == StageKind.PPO || node.kind() == StageKind.EVALUATE;
      assertEquals(!downstream, before.contains(node.key()), node.label());
    }
  }

  private static StageNode policy(PlannedRun run) {
    return run.evaluation().parent(SweepPlanner.POLICY);
  }
}
