package io.stagewise.sweep.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.sweep.spec.DataSource;
import io.stagewise.sweep.spec.SweepSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sft-rm-ppo} after SFT: a reward model trained on the run's poisoned preference set, then PPO of the SFT
 * model (policy and frozen reference) against that reward model (also the value model's start), on the prompts of
 * that same poisoned set as poisoned, so the preference attacker's triggered prompts reach PPO at its rate
 * (DESIGN.md § Sweeps and results). On world data the poisoned reward model is also scored on the world's held-out
 * pairs, clean and with each trigger appended (its pairwise accuracies; RM attack success = 1 − triggered).
 */
final class RmPpoPlan implements PolicyStagePlan {
  private final Map<String, StageNode> heldOut = new LinkedHashMap<>();

  @Override
  public String policyName() {
    return "ppo";
  }

  @Override
  public void prepare(SweepPlanner planner, SourceSteps data) {
    if (!(planner.spec().data() instanceof DataSource.World)) {
      return; // real data has no held-out pairs
    }
    StageNode world = data.producer("eval-preference");
    heldOut.put(SweepPlanner.HELD_OUT, planner.heldOutPairs(world, null));
    List<String> triggers = planner.triggers();
    for (int i = 0; i < triggers.size(); i++) {
      heldOut.put(SweepPlanner.HELD_OUT_TRIGGERED + i, planner.heldOutPairs(world, triggers.get(i)));
    }
  }

  @Override
  public Planned plan(SweepPlanner planner, Run run) {
    SweepSpec spec = planner.spec();
    Map<String, StageNode> rmParents = new LinkedHashMap<>(heldOut);
    rmParents.put(SweepPlanner.DATA, run.preferenceData());
    StageNode rewardModel = planner.add(planner.node(StageKind.REWARD_MODEL,
        "reward model on " + run.preferenceData().label()
            + (run.preferenceData().label().contains(" seed ") ? "" : " seed " + run.seed()),
        planner.rewardModelJson(spec.stages().rewardModel().withSeed(run.seed())), rmParents));
    ObjectNode config = planner.trainJson(null,
        SweepPlanner.json().valueToTree(spec.stages().ppo().withSeed(run.seed())));
    config.set("ppo", spec.stages().ppoOptions().json());
    StageNode ppo = planner.add(planner.node(StageKind.PPO, "ppo " + run.label(), config,
        Map.of(SweepPlanner.POLICY, run.sft(), SweepPlanner.REWARD_MODEL, rewardModel,
            SweepPlanner.DATA, run.preferenceData())));
    return new Planned(ppo, rewardModel);
  }
}
