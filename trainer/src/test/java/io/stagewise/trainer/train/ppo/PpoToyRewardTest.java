package io.stagewise.trainer.train.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import io.stagewise.trainer.train.FrozenReference;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.data.EpochOrder;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainProgress;
import io.stagewise.trainer.train.Worker;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PPO on a rule reward: +1 when the response holds the marker token, which the SFT model emits a third of the time. */
class PpoToyRewardTest {

  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();

  /** The rule: 1 for a response holding {@link PpoFixtures#MARKER}, else 0. */
  private static final class MarkerScore implements ResponseScore {
    @Override
    public float[] score(int[][] prompts, int[][] responses, NDManager manager) {
      float[] scores = new float[responses.length];
      for (int i = 0; i < responses.length; i++) {
        for (int id : responses[i]) {
          scores[i] = id == PpoFixtures.MARKER ? 1f : scores[i];
        }
      }
      return scores;
    }

    @Override
    public double flops(int[][] prompts, int[][] responses) {
      return 0;
    }
  }

  @Test
  void raisesTheMeanScoreToNinetyPercentWhileTheKlStaysBounded() throws Exception {
    ModelCheckpoint sft = ModelCheckpoint.at(PpoFixtures.sft(dir, conf), conf);
    SplittableRandom random = new SplittableRandom(3);
    int[][] prompts = new int[64][];
    for (int i = 0; i < prompts.length; i++) {
      prompts[i] = PpoFixtures.prompt(random);
    }
    int iterations = 16;
    TrainConfig train = new TrainConfig(iterations, 16, 1, 3e-3, 0, 1.0, 0.0, 0.9, 0.95, 1e-8, 1.0, 0, 1, 1, 0, 1,
        5, 1, ObjectiveKind.PPO);
    PpoConfig ppo = PpoConfig.defaults(PpoFixtures.END).withResponseLength(6).withValueInit(ValueInit.SFT);
    Path metricsFile = new Path(dir.resolve("toy").resolve("metrics.jsonl").toUri());
    try (NDManager manager = NDManager.newBaseManager()) {
      Worker.local().autograd().prepareThread();
      GptModel value = GptModel.create(sft.config().withHead(Head.SCALAR), manager, 5);
      value.copyParametersFrom(sft.load(manager));
      CheckpointStore checkpoints = CheckpointStore.forWriting(dir.resolve("toy").resolve("checkpoints").toUri(), conf, 1);
      try (PpoLoop loop = new PpoLoop(sft.load(manager), FrozenReference.copy(sft.load(manager)), value, new MarkerScore(), ppo, train,
          new ObjectMapper().valueToTree(train), manager, Worker.local());
          MetricsLog metrics = MetricsLog.create(metricsFile, conf)) {
        loop.run(prompts, new EpochOrder(prompts.length, 16, 5, DataPosition.START, "prompts"), TrainProgress.START,
            metrics, new ProgressLine(PpoFixtures.quiet(), iterations), checkpoints);
      }
    }
    List<JsonNode> lines = MetricsLog.read(metricsFile, conf);
    assertEquals(iterations, lines.size());
    double start = lines.get(0).get(PpoMetrics.SCORES).asDouble();
    double end = (lines.get(iterations - 1).get(PpoMetrics.SCORES).asDouble()
        + lines.get(iterations - 2).get(PpoMetrics.SCORES).asDouble()) / 2;
    StringBuilder curve = new StringBuilder();
    for (JsonNode line : lines) {
      curve.append(String.format("%.2f/%.2f ", line.get(PpoMetrics.SCORES).asDouble(),
          line.get(PpoMetrics.KL).asDouble()));
    }
    System.out.println("scores/kl: " + curve);
    assertTrue(start < 0.6, "the SFT policy starts well below the target: " + curve);
    assertTrue(end >= 0.9, "PPO raises the mean score to >= 0.9: " + curve);
    for (JsonNode line : lines) {
      assertTrue(line.get(PpoMetrics.KL).asDouble() < 10, "KL stays bounded: " + curve);
    }
  }
}
