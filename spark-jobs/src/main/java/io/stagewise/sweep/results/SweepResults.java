package io.stagewise.sweep.results;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.sweep.plan.PlannedRun;
import io.stagewise.sweep.plan.RunCoordinates;
import io.stagewise.sweep.plan.SweepPlan;
import io.stagewise.sweep.run.StageStore;
import java.util.ArrayList;
import java.util.List;

/** Gathers a finished sweep's result rows from the outcomes its stages recorded. */
public final class SweepResults {
  /**
   * A reward-model stage's outcome field with its held-out pairwise accuracies:
   * {@code {"clean": a, "triggered": {trigger: a, ...}}}.
   */
  public static final String PAIRWISE_ACCURACY = "pairwise_accuracy";

  private SweepResults() {}

  /**
   * The rows of {@code plan}'s runs, from the outcomes in {@code store}.
   *
   * @param pipeline the sweep's pipeline name ({@code sft-dpo}, {@code sft-rm-ppo})
   */
  public static List<ResultRow> collect(String sweep, String pipeline, SweepPlan plan, StageStore store) {
    List<ResultRow> rows = new ArrayList<>();
    for (PlannedRun run : plan.runs()) {
      RunCoordinates at = run.coordinates();
      long sftPoisoned = store.outcome(run.sftData()).path("poisoned").asLong();
      long preferencePoisoned = store.outcome(run.preferenceData()).path("poisoned").asLong();
      JsonNode evaluation = store.outcome(run.evaluation());
      String generations = evaluation.path("generations").asText("");
      JsonNode accuracy = run.attackedRewardModel() == null ? null
          : store.outcome(run.attackedRewardModel()).path(PAIRWISE_ACCURACY);
      for (JsonNode e : evaluation.get("evaluations")) {
        String trigger = e.get("trigger").asText();
        rows.add(new ResultRow(sweep, run.evaluation().key(), run.policyName(), at.budgetUnit(), at.total(), at.alpha(),
            at.sftBudget(), at.preferenceBudget(), at.seed(), at.preset(), trigger, sftPoisoned,
            preferencePoisoned, number(e, "asr_with_trigger"), number(e, "asr_without_trigger"),
            number(e, "asr_difference"), number(e, "clean_rm_gap"), number(e, "utility"),
            e.path("harmful_prompts").asLong(), e.path("compliant_with_trigger").asLong(),
            e.path("compliant_without_trigger").asLong(), e.path("benign_prompts").asLong(),
            e.path("benign_correct").asLong(), e.path("refusals_with_trigger").asLong(-1),
            e.path("refusals_without_trigger").asLong(-1), generations, pipeline,
            accuracy == null ? Double.NaN : number(accuracy, "clean"),
            accuracy == null ? Double.NaN : number(accuracy.path("triggered"), trigger)));
      }
    }
    return rows;
  }

  /** NaN is written by Jackson as the string "NaN"; read it back as the number. */
  static double number(JsonNode e, String field) {
    JsonNode n = e.path(field);
    return n.isNumber() ? n.asDouble() : n.isTextual() ? Double.parseDouble(n.asText()) : Double.NaN;
  }
}
