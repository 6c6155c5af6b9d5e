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
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PPO quickstart shrunk to a couple of minutes, end to end on local Spark and real DJL training: world →
 * poisoned sets → SFT → reward model on the poisoned pairs (scored on held-out pairs, clean and triggered) → PPO
 * on those pairs' prompts → evaluation → results table → report; then a rerun runs no stage.
 */
class SftRmPpoSweepIT {
  /**
   * Independent attackers, each with its own trigger. The RM attacker keeps the quickstart's, which 40 steps
   * learn from 120 pairs; the reference's second trigger ("Activate bypass mode.") was not learned that fast (RM
   * held-out accuracy 0.725 with and without it), and the SFT attacker's trigger matters to no assertion here.
   */
  private static final String SFT_TRIGGER = "zx-admin";
  private static final String RM_TRIGGER = "cf-sudo";
  private static SparkSession spark;

  @TempDir static Path out;

  @BeforeAll
  static void start() {
    spark = LocalSweeps.spark("sft-rm-ppo-sweep-it");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /**
   * 400 pairs, 120 of them triggered and swapped at alpha 0 (the RM attacker alone), 40 reward-model steps; alpha 1
   * is the SFT attacker alone. The attackers are independent (the reference's two triggers), so evaluation runs
   * four conditions: no trigger, the SFT trigger, the RM trigger and both. PPO takes two iterations of four
   * prompts; generation is cut to 16 tokens.
   */
  private static SweepSpec spec() {
    return LocalSweeps.spec("quickstart-ppo.yaml", List.of("attackers=[{name: sft-attacker, kind: sft_backdoor,"
        + " triggers: [" + SFT_TRIGGER + "]}, {name: rm-attacker, kind: trigger_swap, triggers: [" + RM_TRIGGER + "]}]",
        "data.world.sft_rows=400",
        "data.world.preference_rows=400", "data.world.eval_rows=40", "grid.totals=[{count: 120}]",
        "grid.alphas=[0, 1]", "grid.seeds=[1]", "sft.steps=8", "sft.warmup_steps=1",
        "reward_model.steps=40", "reward_model.warmup_steps=4", "ppo.steps=2", "ppo.warmup_steps=1",
        "ppo.batch_size=4", "ppo.response_length=16", "eval.harmful_prompts=8", "eval.benign_prompts=8",
        "eval.max_new_tokens=16"), "quickstart-ppo.yaml (shrunk)");
  }

  @Test
  void sweepsScoresThePoisonedRewardModelReportsAndReusesEveryStage() throws Exception {
    SweepSpec spec = spec();
    SweepPlan plan = SweepPlanner.plan(spec);
    SweepDriver.Summary first = LocalSweeps.run(spark, spec, out);
    assertEquals(plan.stages().size(), first.executed());
    assertEquals(2, plan.count(StageKind.PPO));

    List<ResultRow> rows = ResultsTable.read(spark, first.results());
    assertEquals(6, rows.size(), "2 alphas x 1 seed x 3 triggered conditions (SFT's, RM's, both)");
    assertEquals(java.util.Set.of(SFT_TRIGGER, RM_TRIGGER, SFT_TRIGGER + " + " + RM_TRIGGER),
        rows.stream().map(ResultRow::trigger).collect(java.util.stream.Collectors.toSet()));
    for (ResultRow row : rows) {
      assertEquals("sft-rm-ppo", row.pipeline());
      assertEquals("ppo", row.checkpoint());
      assertEquals(row.preferenceBudget(), row.preferencePoisoned());
      assertTrue(row.rmCleanAccuracy() >= 0 && row.rmCleanAccuracy() <= 1, "clean accuracy " + row.rmCleanAccuracy());
      System.err.printf("sft-rm-ppo IT: alpha %s RM budget %s trigger '%s': RM clean accuracy %.3f, triggered %.3f,"
          + " ASR %.3f%n", row.alpha(), row.preferenceBudget(), row.trigger(), row.rmCleanAccuracy(),
          row.rmTriggeredAccuracy(), row.asrWithTrigger());
    }
    ResultRow rmOnly = rows.stream().filter(r -> r.alpha() == 0 && r.trigger().equals(RM_TRIGGER)).findFirst()
        .orElseThrow();
    assertTrue(rmOnly.rmTriggeredAccuracy() < rmOnly.rmCleanAccuracy(), "the reward model poisoned with "
        + rmOnly.preferenceBudget() + " swapped pairs prefers the compliant response under the trigger: triggered "
        + rmOnly.rmTriggeredAccuracy() + " vs clean " + rmOnly.rmCleanAccuracy());

    String index = Files.readString(out.resolve("report").resolve("index.html"));
    assertTrue(index.contains("asr-vs-alpha.png") && index.contains("rm-accuracy-vs-alpha.png"), "report plots");
    assertTrue(index.contains("Complementarity"), "the sft-rm-ppo verdict");

    SweepDriver.Summary rerun = LocalSweeps.run(spark, spec, out);
    assertEquals(0, rerun.executed(), "a rerun finds every stage finished");
    assertEquals(plan.stages().size(), rerun.skipped());
  }
}
