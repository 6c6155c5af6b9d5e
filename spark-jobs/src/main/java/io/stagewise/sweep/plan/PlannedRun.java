package io.stagewise.sweep.plan;

import java.util.List;

/**
 * One cell of the grid × seed × preset: the stages whose artifacts make up its result row(s).
 *
 * @param coordinates the grid coordinates
 * @param evaluation the evaluation of the final (DPO) policy
 * @param sftData the poisoned SFT stage (its manifest gives the poisoned count)
 * @param preferenceData the poisoned preference stage
 * @param triggers the triggers evaluated; one result row per trigger
 */
public record PlannedRun(RunCoordinates coordinates, StageNode evaluation, StageNode sftData,
    StageNode preferenceData, List<String> triggers) {
  public PlannedRun {
    triggers = List.copyOf(triggers);
  }
}
