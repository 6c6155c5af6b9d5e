package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.sweep.SweepDriver;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.SweepPlan;
import io.stagewise.sweep.plan.SweepPlanner;
import io.stagewise.sweep.results.ResultRow;
import io.stagewise.sweep.results.ResultsTable;
import io.stagewise.sweep.spec.SweepSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart sweep shrunk to a few minutes, end to end on local Spark and real DJL training: world →
 * poisoned sets → SFT → DPO → evaluation → results table → report; then a rerun runs no stage, and changing
 * DPO's beta reruns exactly the DPO and evaluation stages.
 */
class SweepIT {
  private static SparkSession spark;

  @TempDir static Path out;

  @BeforeAll
  static void start() {
    spark = LocalSweeps.spark("sweep-it");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static SweepSpec spec(String... extra) {
    List<String> overrides = new ArrayList<>(List.of("data.world.sft_rows=400", "data.world.preference_rows=400",
        "data.world.eval_rows=20", "grid.totals=[{count: 20}]", "grid.alphas=[0, 0.5, 1]", "grid.seeds=[1]",
        "sft.steps=8", "sft.warmup_steps=1", "dpo.steps=4", "dpo.warmup_steps=1", "reward_model.steps=4",
        "reward_model.warmup_steps=1", "eval.harmful_prompts=8", "eval.benign_prompts=8", "eval.max_new_tokens=16"));
    overrides.addAll(List.of(extra));
    return LocalSweeps.spec("quickstart.yaml", overrides, "quickstart.yaml (shrunk)");
  }

  private static SweepDriver.Summary sweep(SweepSpec spec) {
    return LocalSweeps.run(spark, spec, out);
  }

  @Test
  void sweepsReportsAndRerunsOnlyWhatChanged() throws Exception {
    SweepSpec spec = spec();
    SweepPlan plan = SweepPlanner.plan(spec);
    SweepDriver.Summary first = sweep(spec);
    assertEquals(plan.stages().size(), first.executed());

    List<ResultRow> rows = ResultsTable.read(spark, first.results());
    assertEquals(3, rows.size(), "3 alphas x 1 seed x 1 trigger");
    for (ResultRow row : rows) {
      assertEquals(8, row.harmfulPrompts());
      assertEquals(row.alpha() * 20, row.sftBudget(), 1e-9);
      assertEquals(row.sftBudget(), row.sftPoisoned(), "an exact count budget poisons exactly that many");
      assertEquals(row.preferenceBudget(), row.preferencePoisoned());
      assertTrue(row.asrWithTrigger() >= 0 && row.asrWithTrigger() <= 1);
    }
    String index = Files.readString(out.resolve("report").resolve("index.html"));
    assertTrue(index.contains("asr-vs-alpha.png") && index.contains("asr-heatmap.png"));

    SweepDriver.Summary rerun = sweep(spec);
    assertEquals(0, rerun.executed(), "a rerun finds every stage finished");
    assertEquals(plan.stages().size(), rerun.skipped());

    SweepSpec changed = spec("dpo.beta=0.2");
    SweepPlan changedPlan = SweepPlanner.plan(changed);
    SweepDriver.Summary third = sweep(changed);
    assertEquals(changedPlan.count(StageKind.DPO) + changedPlan.count(StageKind.EVALUATE), third.executed(),
        "only DPO and its evaluations depend on beta");
  }
}
