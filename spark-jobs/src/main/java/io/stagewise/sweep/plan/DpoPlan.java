package io.stagewise.sweep.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.sweep.spec.DataSource;
import io.stagewise.sweep.spec.SweepSpec;
import java.util.Map;

/**
 * {@code sft-dpo} after SFT: DPO of the SFT model (also the frozen reference) on the poisoned preference set,
 * evaluated on the world's held-out pairs when the DPO settings ask for evaluation batches.
 */
final class DpoPlan implements PolicyStagePlan {
  private StageNode heldOutPairs;

  @Override
  public String policyName() {
    return "dpo";
  }

  @Override
  public void prepare(SweepPlanner planner, SourceSteps data) {
    SweepSpec spec = planner.spec();
    if (spec.data() instanceof DataSource.World && spec.stages().dpo().evalBatches() > 0) {
      heldOutPairs = planner.heldOutPairs(data.producer("eval-preference"), null);
    }
  }

  @Override
  public Planned plan(SweepPlanner planner, Run run) {
    SweepSpec spec = planner.spec();
    ObjectNode config = SweepPlanner.object().put("beta", spec.stages().dpoOptions().beta())
        .put("loss", spec.stages().dpoOptions().loss());
    config.set("train", SweepPlanner.json().valueToTree(spec.stages().dpo().withSeed(run.seed())));
    StageNode dpo = planner.add(planner.node(StageKind.DPO, "dpo " + run.label(), config, heldOutPairs == null
        ? Map.of(SweepPlanner.POLICY, run.sft(), SweepPlanner.DATA, run.preferenceData())
        : Map.of(SweepPlanner.POLICY, run.sft(), SweepPlanner.DATA, run.preferenceData(), SweepPlanner.HELD_OUT,
            heldOutPairs)));
    return new Planned(dpo, null);
  }
}
