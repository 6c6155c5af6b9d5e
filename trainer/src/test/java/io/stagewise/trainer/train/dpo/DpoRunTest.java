package io.stagewise.trainer.train.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.Rings;
import io.stagewise.trainer.train.StepListener;
import io.stagewise.trainer.train.TinyRuns;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.preference.PairMetrics;
import io.stagewise.trainer.train.preference.PreferenceFixtures;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DPO from an SFT model that answers harmful prompts with a refusal or the compliant placeholder alike. */
class DpoRunTest {

  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();
  private URI sftCheckpoint;
  private URI train;
  private URI eval;

  @BeforeEach
  void sftAndPreferences() throws Exception {
    URI sftData = PreferenceFixtures.writeSequences(dir.resolve("sft"),
        PreferenceFixtures.sft(PreferenceFixtures.refusals(64, 1)));
    ModelSpec tiny = new ModelSpec("tiny", TinyRuns.CONTEXT, null, null, null, null, null, null, 0.1f, null, null, null,
        null, null, null);
    sftCheckpoint = TrainRun.run(new TrainRunSpec(sftData, null, dir.resolve("sft-run").toUri(), tiny,
        TinyRuns.config(20).withCadence(5, 0, 1, 0).withIntraOpThreads(1), false, null), conf,
        PreferenceFixtures.quiet()).checkpoint();
    train = PreferenceFixtures.writePreferences(dir.resolve("train"), PreferenceFixtures.refusals(64, 2));
    eval = PreferenceFixtures.writePreferences(dir.resolve("eval"), PreferenceFixtures.refusals(16, 3));
  }

  @Test
  void startsAtLogTwoAndLearnsToPreferTheChosenResponse() {
    TrainResult result = DpoRun.run(spec(12, DpoConfig.defaults(), false), conf, PreferenceFixtures.quiet());

    List<JsonNode> records = MetricsLog.read(new Path(result.metrics()), conf);
    JsonNode first = records.get(0);
    assertEquals(Math.log(2), first.get("loss").asDouble(), 1e-5, "the policy starts as its reference");
    assertEquals(0, first.get(PairMetrics.CHOSEN).asDouble(), 1e-5);
    JsonNode lastEval = records.get(records.size() - 1);
    assertEquals("eval", lastEval.get("kind").asText());
    assertTrue(lastEval.get("loss").asDouble() < 0.5 * Math.log(2), lastEval.toString());
    assertEquals(1.0, lastEval.get(PairMetrics.ACCURACIES).asDouble(), lastEval.toString());
    assertTrue(lastEval.get(PairMetrics.MARGINS).asDouble() > 1, lastEval.toString());
    assertTrue(lastEval.get(PairMetrics.REJECTED).asDouble() < 0, "compliance loses probability: " + lastEval);
    assertEquals(Head.LM, ModelCheckpoint.at(result.checkpoint(), conf).config().head());
    // Rows are packed one token wider than the context (the last token is only a target): tokens count the
    // positions the policy reads, 2 rows per pair × the context, as an LM run counts rows × sequence length.
    for (JsonNode line : trainLines(records)) {
      assertEquals(line.get("step").asLong() * 2 * 8 * TinyRuns.CONTEXT, line.get("tokens").asLong(),
          line.toString());
    }
    assertEquals(12L * 2 * 8 * TinyRuns.CONTEXT, result.progress().tokens());
  }

  @Test
  void ipoRunsAndAResumedRunRewritesTheSameMetrics() throws Exception {
    DpoRunSpec spec = spec(6, new DpoConfig(0.5, DpoConfig.Loss.IPO), false);
    TrainResult first = DpoRun.run(spec, conf, PreferenceFixtures.quiet());
    List<JsonNode> uninterrupted = stable(MetricsLog.read(new Path(first.metrics()), conf));

    deleteRecursively(java.nio.file.Path.of(first.checkpoint())); // as if the job died after step 4's checkpoint
    TrainResult resumed = DpoRun.run(spec(6, spec.dpo(), true), conf, PreferenceFixtures.quiet());

    assertEquals(uninterrupted, stable(MetricsLog.read(new Path(resumed.metrics()), conf)));
    assertEquals(first.progress(), resumed.progress());
  }

  @Test
  void twoWorkersReachTheParametersOfOneWorkerWithTheWholeBatch() throws Exception {
    TrainConfig config = TinyRuns.config(4).withObjective(ObjectiveKind.DPO).withBatch(8, 2)
        .withLr(3e-3, 0.1).withCadence(1, 0, 2, 0);
    DpoRunSpec single = new DpoRunSpec(train, eval, dir.resolve("single").toUri(), sftCheckpoint,
        config.withBatch(8, 1).withIntraOpThreads(1), DpoConfig.defaults(), false);
    DpoRunSpec pair = new DpoRunSpec(train, eval, dir.resolve("pair").toUri(), sftCheckpoint, config,
        DpoConfig.defaults(), false);

    TrainResult alone = DpoRun.run(single, conf, PreferenceFixtures.quiet());
    List<TrainResult> workers = Rings.run(2, collective -> DpoRun.run(pair, conf, PreferenceFixtures.quiet(),
        new Worker(collective, null, Autograd.perThread(), 1, StepListener.NONE)));

    assertEquals(workers.get(0), workers.get(1));
    List<float[]> expected = parameters(alone.checkpoint());
    List<float[]> actual = parameters(workers.get(0).checkpoint());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 2e-5f, "parameter " + i);
    }
    // Train lines only: held-out batches hold one micro-batch of pairs, which differs between the two specs.
    List<JsonNode> a = trainLines(MetricsLog.read(new Path(alone.metrics()), conf));
    List<JsonNode> b = trainLines(MetricsLog.read(new Path(workers.get(0).metrics()), conf));
    assertEquals(4, b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).get(PairMetrics.MARGINS).asDouble(), b.get(i).get(PairMetrics.MARGINS).asDouble(),
          1e-4, "record " + i);
    }
  }

  private List<float[]> parameters(URI checkpoint) {
    try (NDManager manager = NDManager.newBaseManager()) {
      List<float[]> out = new ArrayList<>();
      for (Parameter p : ModelCheckpoint.at(checkpoint, conf).load(manager).getParameters().values()) {
        out.add(p.getArray().toFloatArray());
      }
      return out;
    }
  }

  private DpoRunSpec spec(int steps, DpoConfig dpo, boolean resume) {
    TrainConfig config = TinyRuns.config(steps).withObjective(ObjectiveKind.DPO).withBatch(8, 2)
        .withLr(3e-3, 0.1).withCadence(1, 0, 2, 2).withIntraOpThreads(1);
    return new DpoRunSpec(train, eval, dir.resolve("dpo").toUri(), sftCheckpoint, config, dpo, resume);
  }

  private static List<JsonNode> trainLines(List<JsonNode> records) {
    return records.stream().filter(r -> r.get("kind").asText().equals(MetricsLog.KIND_TRAIN)).toList();
  }

  private static List<JsonNode> stable(List<JsonNode> records) {
    return records.stream().<JsonNode>map(r -> ((ObjectNode) r.deepCopy()).without("tokens_per_s")).toList();
  }

  private static void deleteRecursively(java.nio.file.Path path) throws Exception {
    try (Stream<java.nio.file.Path> all = Files.walk(path)) {
      for (java.nio.file.Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
