package io.stagewise.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.data.HeldOutBatches;
import io.stagewise.trainer.data.ShuffledBatches;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.optim.TrainableParameter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {

  private static final int WIDTH = TinyRuns.CONTEXT + 1;
  private static final TokenSequences TRAIN = TinyRuns.rows(64, 1);
  private static final TokenSequences EVAL = TinyRuns.rows(16, 2);

  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();

  @BeforeAll
  static void oneThread() {
    // Tiny tensors gain nothing from intra-op threads, and the build machine's cores are shared.
    Engine.getInstance();
    JniUtils.setNumThreads(1);
  }

  @Test
  void lossFallsAndEvaluationsAreRecorded() {
    TrainConfig config = TinyRuns.config(40).withCadence(5, 20, 2, 0);
    ByteArrayOutputStream console = new ByteArrayOutputStream();

    Run run = train(TinyRuns.model(0f), config, "a", TrainProgress.START, null, new PrintStream(console, true));

    List<JsonNode> train = kind(run.records, MetricsLog.KIND_TRAIN);
    List<JsonNode> eval = kind(run.records, MetricsLog.KIND_EVAL);
    assertEquals(8, train.size());
    assertEquals(List.of(20L, 40L), eval.stream().map(e -> e.get("step").asLong()).toList());
    double first = train.get(0).get("loss").asDouble();
    double last = train.get(train.size() - 1).get("loss").asDouble();
    assertTrue(last < 0.75 * first, "loss should fall: " + first + " -> " + last);
    assertTrue(eval.get(1).get("loss").asDouble() < Math.log(TinyRuns.VOCAB), "eval below uniform");
    JsonNode lastRecord = train.get(train.size() - 1);
    assertEquals(40L * 8 * TinyRuns.CONTEXT, lastRecord.get("tokens").asLong());
    assertTrue(lastRecord.get("flops").asDouble() > 0 && lastRecord.get("grad_norm").asDouble() > 0);
    String printed = console.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("step 40/40 | loss "), printed);
  }

  @Test
  void gradientAccumulationMatchesOneLargeBatch() {
    TrainConfig whole = TinyRuns.config(3).withBatch(8, 1);
    TrainConfig accumulated = TinyRuns.config(3).withBatch(8, 4);

    Run a = train(TinyRuns.model(0f), whole, "whole", TrainProgress.START, null, quiet());
    Run b = train(TinyRuns.model(0f), accumulated, "acc", TrainProgress.START, null, quiet());

    for (int i = 0; i < a.parameters.size(); i++) {
      assertArrayEquals(a.parameters.get(i), b.parameters.get(i), 2e-5f, "parameter " + i);
    }
    assertEquals(losses(a).get(0), losses(b).get(0), 1e-5);
  }

  @Test
  void resumeFromACheckpointReproducesTheUninterruptedCurveExactly() {
    // Dropout is on: the model's dropout stream is positioned at (seed, step), so masks are a function of the step.
    ModelConfig model = TinyRuns.model(0.1f);
    TrainConfig config = TinyRuns.config(8).withCadence(1, 4, 2, 4);

    Run uninterrupted = train(model, config, "full", TrainProgress.START, null, quiet());
    CheckpointStore store = new CheckpointStore(dir.resolve("full").resolve("checkpoints").toUri(), conf, 2);
    Path atStep4 = store.committed().get(0);
    Run resumed = train(model, config, "resumed", null, atStep4, quiet());

    assertEquals(losses(uninterrupted).subList(4, 8), losses(resumed));
    assertEquals(kind(uninterrupted.records, MetricsLog.KIND_EVAL).get(1).get("loss").asDouble(),
        kind(resumed.records, MetricsLog.KIND_EVAL).get(0).get("loss").asDouble());
    for (int i = 0; i < uninterrupted.parameters.size(); i++) {
      assertArrayEquals(uninterrupted.parameters.get(i), resumed.parameters.get(i), 0f, "parameter " + i);
    }
    assertEquals(uninterrupted.end, resumed.end);
  }

  @Test
  void resumingWithADifferentConfigNamesTheField() {
    TrainConfig config = TinyRuns.config(2).withCadence(1, 0, 2, 2);
    train(TinyRuns.model(0f), config, "x", TrainProgress.START, null, quiet());
    Path checkpoint = new CheckpointStore(dir.resolve("x").resolve("checkpoints").toUri(), conf, 2)
        .latest().orElseThrow();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(TinyRuns.model(0f),
        config.withLr(1e-3, 0.1), "y", null, checkpoint, quiet()));
    assertTrue(e.getMessage().contains("lr (checkpoint 0.003, now 0.001)"), e.getMessage());
  }

  private record Run(List<JsonNode> records, List<float[]> parameters, TrainProgress end) {
  }

  /** Trains in {@code dir/name}, from {@code start} or from {@code checkpoint} when that is set. */
  private Run train(ModelConfig modelConfig, TrainConfig config, String name, TrainProgress start, Path checkpoint,
      PrintStream console) {
    Path out = new Path(dir.resolve(name).toUri());
    CheckpointStore checkpoints = CheckpointStore.forWriting(new Path(out, "checkpoints").toUri(), conf, 2);
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(modelConfig, manager, 5);
      try (TrainingLoop loop = new TrainingLoop(model, config, manager)) {
        TrainProgress from = checkpoint == null ? start : loop.restore(
            new CheckpointStore(checkpoint.getParent().toUri(), conf, 2), checkpoint);
        ShuffledBatches stream = new ShuffledBatches(TRAIN, config.batchSize(), WIDTH, TinyRuns.PAD,
            config.seed(), from.data());
        List<TokenBatch> eval = HeldOutBatches.first(EVAL, 8, config.evalBatches(), WIDTH, TinyRuns.PAD);
        Path metricsFile = new Path(out, "metrics.jsonl");
        TrainProgress end;
        try (MetricsLog metrics = MetricsLog.create(metricsFile, conf)) {
          end = loop.run(stream, eval, from, metrics, new ProgressLine(console, config.steps()), checkpoints);
        }
        List<float[]> parameters = new ArrayList<>();
        for (TrainableParameter p : loop.optimizer().parameters()) {
          parameters.add(p.array().toFloatArray());
        }
        return new Run(MetricsLog.read(metricsFile, conf), parameters, end);
      }
    }
  }

  private static List<JsonNode> kind(List<JsonNode> records, String kind) {
    return records.stream().filter(r -> r.get("kind").asText().equals(kind)).toList();
  }

  private static List<Double> losses(Run run) {
    return kind(run.records, MetricsLog.KIND_TRAIN).stream().map(r -> r.get("loss").asDouble()).toList();
  }

  private static PrintStream quiet() {
    return new PrintStream(java.io.OutputStream.nullOutputStream());
  }

}
