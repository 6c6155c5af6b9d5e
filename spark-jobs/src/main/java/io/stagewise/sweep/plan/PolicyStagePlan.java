package io.stagewise.sweep.plan;

import io.stagewise.poison.attack.BudgetSplit;
import io.stagewise.sweep.spec.SweepSpec;

/**
 * What one budget-split pipeline plans after the part every pipeline shares ({@link SweepPlanner}: data, poisoned
 * sets, the SFT model, the clean reward model, the evaluation): the stages that turn a run's SFT model and
 * poisoned preference set into the policy that is evaluated. {@code sft-dpo}: {@link DpoPlan};
 * {@code sft-rm-ppo}: {@link RmPpoPlan}.
 */
interface PolicyStagePlan {

  /**
   * One run as the shared part planned it.
   *
   * @param split the grid's budget split
   * @param seed the replicate's seed
   * @param sft the run's SFT model (shared by every run with the same SFT budget, seed and preset)
   * @param preferenceData the run's poisoned preference set (tokenized)
   * @param label the run's coordinates, for stage labels
   */
  record Run(BudgetSplit split, long seed, StageNode sft, StageNode preferenceData, String label) {}

  /**
   * What the pipeline planned for a run.
   *
   * @param policy the stage whose checkpoint is evaluated
   * @param attackedRewardModel the reward model the preference attacker poisoned, or null when the pipeline has none
   */
  record Planned(StageNode policy, StageNode attackedRewardModel) {}

  /** The checkpoint column of the results: which algorithm trained the evaluated policy. */
  String policyName();

  /** Stages the pipeline needs once per sweep (held-out pair sets), planned before the runs. */
  void prepare(SweepPlanner planner, SourceSteps data);

  /** The run's stages after its SFT model. */
  Planned plan(SweepPlanner planner, Run run);

  static PolicyStagePlan of(SweepSpec spec) {
    return spec.pipeline() == SweepSpec.Pipeline.SFT_RM_PPO ? new RmPpoPlan() : new DpoPlan();
  }
}
