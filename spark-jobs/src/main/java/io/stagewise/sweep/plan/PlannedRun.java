package io.stagewise.sweep.plan;

import java.util.List;

/**
 * One cell of the grid × seed × preset: the stages whose artifacts make up its result row(s).
 *
 * @param coordinates the grid coordinates
 * @param policyName which algorithm trained the evaluated policy ({@code dpo}, {@code ppo})
 * @param evaluation the evaluation of the final policy
 * @param sftData the poisoned SFT stage (its manifest gives the poisoned count)
 * @param preferenceData the poisoned preference stage
 * @param attackedRewardModel the reward model trained on the poisoned preference set ({@code sft-rm-ppo}), whose
 *     outcome holds its held-out pairwise accuracies; null when the pipeline has none
 * @param triggers the triggers evaluated; one result row per trigger
 */
public record PlannedRun(RunCoordinates coordinates, String policyName, StageNode evaluation, StageNode sftData,
    StageNode preferenceData, StageNode attackedRewardModel, List<String> triggers) {
  public PlannedRun {
    triggers = List.copyOf(triggers);
  }
}
