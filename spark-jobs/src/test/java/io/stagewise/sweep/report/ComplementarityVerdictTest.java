package io.stagewise.sweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.sweep.results.ResultRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sft-rm-ppo verdict: both stages against each stage alone and clean, and its report section. */
class ComplementarityVerdictTest {
  @TempDir Path dir;

  /** The fixture's rows as an sft-rm-ppo sweep's, ASR (and its count) replaced by {@code asr}. */
  private static List<ResultRow> rmPpo(ToDoubleFunction<ResultRow> asr) {
    return ReportFixtures.splitWins().stream().map(r -> {
      double a = asr.applyAsDouble(r);
      return new ResultRow(r.sweep(), r.runKey(), "ppo", r.budgetUnit(), r.total(), r.alpha(), r.sftBudget(),
          r.preferenceBudget(), r.seed(), r.preset(), r.trigger(), r.sftPoisoned(), r.preferencePoisoned(), a,
          r.asrWithoutTrigger(), a - r.asrWithoutTrigger(), r.cleanRmGap(), r.utility(), r.harmfulPrompts(),
          Math.round(100 * a), r.compliantWithoutTrigger(), r.benignPrompts(), r.benignCorrect(),
          100 - Math.round(100 * a) - 5, r.refusalsWithoutTrigger(), "", "sft-rm-ppo", 0.9,
          0.9 - r.preferenceBudget() / 200);
    }).toList();
  }

  @Test
  void bothStagesBeatingEachAloneAndCleanIsComplementary() {
    List<ComplementarityVerdict.Comparison> verdict = ComplementarityVerdict.compare(GridCell.of(rmPpo(ResultRow::asrWithTrigger)));
    assertEquals(2, verdict.size());
    verdict.forEach(c -> assertEquals(ComplementarityVerdict.Outcome.COMPLEMENTARY, c.outcome()));
    assertTrue(verdict.get(0).cleanIsFalseActivation(), "no total-0 cell: clean is the untriggered rate");
    assertEquals(0.0, verdict.get(0).rmOnly().reference().alpha());
    assertEquals(1.0, verdict.get(0).sftOnly().reference().alpha());
  }

  @Test
  void oneStageAloneAsStrongAsBothIsNotComplementary() {
    // The RM attacker alone (alpha 0) does as well as both: complementarity is not shown.
    List<ComplementarityVerdict.Comparison> verdict = ComplementarityVerdict.compare(GridCell.of(rmPpo(r ->
        r.alpha() == 1 ? 0.05 : 0.4 + 0.01 * (r.seed() - 2))));
    verdict.forEach(c -> assertEquals(ComplementarityVerdict.Outcome.NOT_SHOWN, c.outcome()));
    assertEquals(CellComparison.Direction.NO_DIFFERENCE, verdict.get(0).rmOnly().direction());
    assertEquals(CellComparison.Direction.HIGHER, verdict.get(0).sftOnly().direction());
  }

  @Test
  void theReportOpensWithTheVerdictAndPlotsTheRewardModelsAccuracy() throws Exception {
    SweepReport.write(rmPpo(ResultRow::asrWithTrigger), dir.toString(), new Configuration());
    String html = Files.readString(dir.resolve(SweepReport.INDEX));
    assertTrue(html.contains("Complementarity: ") && html.contains("the attackers were complementary"), html);
    assertTrue(html.contains("rm-accuracy-vs-alpha.png") && html.contains("rm-clean-accuracy-vs-alpha.png"));
    assertTrue(html.contains("RM accuracy (triggered)"), "the summary table's reward-model columns");
    assertTrue(html.contains("<th>RM budget</th>") && !html.contains("preference budget</th>"),
        "the second attacker's budget is the reward model's");
    assertTrue(Files.readString(dir.resolve(SweepReport.SUMMARY)).contains("Complementarity"));
  }
}
