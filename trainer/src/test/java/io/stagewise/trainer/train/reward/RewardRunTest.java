package io.stagewise.trainer.train.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TinyRuns;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.dpo.DpoConfig;
import io.stagewise.trainer.train.dpo.DpoRunSpec;
import io.stagewise.trainer.train.preference.PairMetrics;
import io.stagewise.trainer.train.preference.PreferenceFixtures;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardRunTest {

  private static final ModelSpec TINY = new ModelSpec("tiny", TinyRuns.CONTEXT, null, null, null, null, null, null,
      0f, null, null, null, null, null, null);

  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();

  @Test
  void learnsASyntheticPreferenceFromAnSftBackboneToHighHeldOutAccuracy() throws Exception {
    URI sftData = PreferenceFixtures.writeSequences(dir.resolve("sft"),
        PreferenceFixtures.sft(PreferenceFixtures.marked(64, 1)));
    TrainResult sft = TrainRun.run(new TrainRunSpec(sftData, null, dir.resolve("sft-run").toUri(), TINY,
        TinyRuns.config(3).withCadence(1, 0, 1, 0).withIntraOpThreads(1), false, null), conf,
        PreferenceFixtures.quiet());
    URI train = PreferenceFixtures.writePreferences(dir.resolve("train"), PreferenceFixtures.marked(256, 2));
    URI eval = PreferenceFixtures.writePreferences(dir.resolve("eval"), PreferenceFixtures.marked(64, 3));

    TrainConfig config = TinyRuns.config(30).withObjective(ObjectiveKind.REWARD).withBatch(16, 2)
        .withLr(2e-3, 0.1).withCadence(10, 15, 8, 0).withIntraOpThreads(1);
    TrainResult rm = RewardRun.run(new RewardRunSpec(train, eval, dir.resolve("rm").toUri(), null,
        sft.checkpoint(), config, false), conf, PreferenceFixtures.quiet());

    List<JsonNode> records = MetricsLog.read(new Path(rm.metrics()), conf);
    JsonNode lastEval = records.stream().filter(r -> r.get("kind").asText().equals("eval")).reduce((a, b) -> b)
        .orElseThrow();
    assertEquals(30, lastEval.get("step").asLong());
    assertEquals(64, lastEval.get("targets").asLong(), "eight held-out batches of 8 pairs");
    double accuracy = lastEval.get(PairMetrics.ACCURACIES).asDouble();
    assertTrue(accuracy > 0.95, "held-out pairwise accuracy " + accuracy + "; records " + records);
    assertTrue(lastEval.get(PairMetrics.MARGINS).asDouble() > 0, lastEval.toString());
    assertTrue(records.get(0).has(PairMetrics.CHOSEN), records.get(0).toString());
    assertEquals(Head.SCALAR, ModelCheckpoint.at(rm.checkpoint(), conf).config().head());
    assertEquals(Head.SCALAR, rm.model().head());
    // Scoring the finished checkpoint on the same held-out pairs gives the run's own last evaluation; one load
    // scores several sets, each as if alone.
    Map<String, Double> measured = PairwiseAccuracy.measure(rm.checkpoint(),
        new LinkedHashMap<>(Map.of("train", train, "eval", eval)), 8, null, conf);
    assertEquals(accuracy, measured.get("eval"), 1e-9);
    assertEquals(PairwiseAccuracy.measure(rm.checkpoint(), Map.of("train", train), 8, null, conf).get("train"),
        measured.get("train"), 1e-9);
    IllegalArgumentException notReward = assertThrows(IllegalArgumentException.class,
        () -> PairwiseAccuracy.measure(sft.checkpoint(), Map.of("eval", eval), 8, null, conf));
    assertTrue(notReward.getMessage().contains("head=lm"), notReward.getMessage());
    // A reward model reads the whole packed row: 2 rows per pair × the context.
    for (JsonNode line : records) {
      assertEquals(line.get("step").asLong() * 2 * 16 * TinyRuns.CONTEXT, line.get("tokens").asLong(),
          line.toString());
    }
  }

  @Test
  void specErrorsAreListedTogether() {
    TrainConfig lm = TinyRuns.config(3).withCadence(1, 0, 0, 0);
    IllegalArgumentException rm = assertThrows(IllegalArgumentException.class, () -> new RewardRunSpec(null,
        URI.create("file:/eval"), null, TINY, URI.create("file:/sft"), lm, false));
    assertTrue(rm.getMessage().contains("trainData") && rm.getMessage().contains("output")
        && rm.getMessage().contains("exactly one of model") && rm.getMessage().contains("train.objective")
        && rm.getMessage().contains("train.evalBatches"), rm.getMessage());
    IllegalArgumentException dpo = assertThrows(IllegalArgumentException.class, () -> new DpoRunSpec(
        URI.create("file:/train"), null, URI.create("file:/out"), null, null, null, false));
    assertTrue(dpo.getMessage().contains("sftCheckpoint") && dpo.getMessage().contains("dpo:")
        && dpo.getMessage().contains("train:"), dpo.getMessage());
    IllegalArgumentException sft = assertThrows(IllegalArgumentException.class, () -> new TrainRunSpec(
        URI.create("file:/train"), null, URI.create("file:/out"), TINY,
        TinyRuns.config(3).withObjective(ObjectiveKind.DPO), false, null));
    assertTrue(sft.getMessage().contains("DpoRun"), sft.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DpoConfig(0, DpoConfig.Loss.SIGMOID));
    assertEquals(DpoConfig.Loss.IPO, DpoConfig.Loss.fromName(" IPO "));
    IllegalArgumentException loss = assertThrows(IllegalArgumentException.class,
        () -> DpoConfig.Loss.fromName("hinge"));
    assertTrue(loss.getMessage().contains("sigmoid, ipo"), loss.getMessage());
  }
}
