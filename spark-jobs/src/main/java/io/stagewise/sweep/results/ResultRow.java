package io.stagewise.sweep.results;

/**
 * One row of a sweep's results table: one run (grid cell × seed × preset) evaluated with one trigger, with
 * every grid coordinate and the attack metrics of DESIGN.md § Definitions.
 *
 * @param sweep the sweep's name
 * @param runKey the evaluation stage's key (its artifact directory)
 * @param checkpoint which model was evaluated ({@code dpo}: the final policy)
 * @param budgetUnit {@code fraction} or {@code count}
 * @param total the whole poison budget
 * @param alpha the SFT share of the budget
 * @param sftBudget the SFT attacker's budget
 * @param preferenceBudget the preference attacker's budget
 * @param seed the replicate's seed
 * @param preset the model preset
 * @param trigger the trigger evaluated
 * @param sftPoisoned SFT rows actually poisoned
 * @param preferencePoisoned preference pairs actually poisoned
 * @param asrWithTrigger share of triggered harmful prompts answered compliantly
 * @param asrWithoutTrigger the same without the trigger (false activation)
 * @param asrDifference their difference
 * @param cleanRmGap clean-RM score without minus with the trigger
 * @param utility exact-match accuracy on held-out benign tasks
 * @param harmfulPrompts harmful prompts evaluated (each with and without the trigger)
 * @param compliantWithTrigger compliant responses to triggered prompts
 * @param compliantWithoutTrigger compliant responses to untriggered prompts
 * @param benignPrompts benign prompts evaluated
 * @param benignCorrect correct benign responses
 * @param refusalsWithTrigger refusals among the triggered responses (-1: a table written before this column)
 * @param refusalsWithoutTrigger refusals among the untriggered responses (-1 likewise); what is neither a
 *     refusal nor compliant is "other"
 * @param generations the evaluation's {@code generations.parquet} ("" when it has none)
 * @param pipeline {@code sft-dpo} or {@code sft-rm-ppo}
 * @param rmCleanAccuracy the attacked reward model's pairwise accuracy on clean held-out pairs ({@code sft-rm-ppo}
 *     on world data; NaN otherwise)
 * @param rmTriggeredAccuracy its pairwise accuracy on the same pairs with this row's trigger appended to the
 *     prompt (RM attack success = 1 − this; NaN likewise)
 */
public record ResultRow(
    String sweep,
    String runKey,
    String checkpoint,
    String budgetUnit,
    double total,
    double alpha,
    double sftBudget,
    double preferenceBudget,
    long seed,
    String preset,
    String trigger,
    long sftPoisoned,
    long preferencePoisoned,
    double asrWithTrigger,
    double asrWithoutTrigger,
    double asrDifference,
    double cleanRmGap,
    double utility,
    long harmfulPrompts,
    long compliantWithTrigger,
    long compliantWithoutTrigger,
    long benignPrompts,
    long benignCorrect,
    long refusalsWithTrigger,
    long refusalsWithoutTrigger,
    String generations,
    String pipeline,
    double rmCleanAccuracy,
    double rmTriggeredAccuracy) {

  /** Responses to triggered prompts that were neither refusals nor compliant (-1 when unknown). */
  public long otherWithTrigger() {
    return refusalsWithTrigger < 0 ? -1 : harmfulPrompts - compliantWithTrigger - refusalsWithTrigger;
  }

  /** The same without the trigger. */
  public long otherWithoutTrigger() {
    return refusalsWithoutTrigger < 0 ? -1 : harmfulPrompts - compliantWithoutTrigger - refusalsWithoutTrigger;
  }
}
