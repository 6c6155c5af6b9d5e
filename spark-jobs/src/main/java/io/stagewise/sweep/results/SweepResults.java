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
  private SweepResults() {}

  public static List<ResultRow> collect(String sweep, SweepPlan plan, StageStore store) {
    List<ResultRow> rows = new ArrayList<>();
    for (PlannedRun run : plan.runs()) {
      RunCoordinates at = run.coordinates();
      long sftPoisoned = store.outcome(run.sftData()).path("poisoned").asLong();
      long preferencePoisoned = store.outcome(run.preferenceData()).path("poisoned").asLong();
      JsonNode evaluation = store.outcome(run.evaluation());
      String generations = evaluation.path("generations").asText("");
      for (JsonNode e : evaluation.get("evaluations")) {
        rows.add(new ResultRow(sweep, run.evaluation().key(), "dpo", at.budgetUnit(), at.total(), at.alpha(),
            at.sftBudget(), at.preferenceBudget(), at.seed(), at.preset(), e.get("trigger").asText(), sftPoisoned,
            preferencePoisoned, number(e, "asr_with_trigger"), number(e, "asr_without_trigger"),
            number(e, "asr_difference"), number(e, "clean_rm_gap"), number(e, "utility"),
            e.path("harmful_prompts").asLong(), e.path("compliant_with_trigger").asLong(),
            e.path("compliant_without_trigger").asLong(), e.path("benign_prompts").asLong(),
            e.path("benign_correct").asLong(), e.path("refusals_with_trigger").asLong(-1),
            e.path("refusals_without_trigger").asLong(-1), generations));
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
