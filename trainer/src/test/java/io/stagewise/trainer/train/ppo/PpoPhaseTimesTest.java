package io.stagewise.trainer.train.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import io.stagewise.trainer.train.FrozenReference;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.data.EpochOrder;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
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

/** The loop times its phases: each positive, together within the iteration, and written to the metrics line. */
class PpoPhaseTimesTest {

  @TempDir
  java.nio.file.Path dir;

  @Test
  void phasesArePositiveSumToAtMostTheIterationAndReachTheMetricsLine() throws Exception {
    Configuration conf = new Configuration();
    ModelConfig config = PpoFixtures.tinyConfig();
    SplittableRandom random = new SplittableRandom(3);
    int[][] prompts = new int[8][];
    for (int i = 0; i < prompts.length; i++) {
      prompts[i] = PpoFixtures.prompt(random);
    }
    int iterations = 2;
    TrainConfig train = PpoFixtures.train(iterations, ObjectiveKind.PPO);
    PpoConfig ppo = PpoConfig.defaults(PpoFixtures.END).withResponseLength(6);
    Path metricsFile = new Path(dir.resolve("metrics.jsonl").toUri());
    List<PpoPhaseTimes> times;
    try (NDManager manager = NDManager.newBaseManager()) {
      Worker.local().autograd().prepareThread();
      GptModel value = GptModel.create(config.withHead(Head.SCALAR), manager, 2);
      RewardModelScore reward = new RewardModelScore(GptModel.create(config.withHead(Head.SCALAR), manager, 3));
      CheckpointStore checkpoints = CheckpointStore.forWriting(dir.resolve("checkpoints").toUri(), conf, 1);
      try (PpoLoop loop = new PpoLoop(GptModel.create(config, manager, 1), FrozenReference.copy(GptModel.create(config, manager, 1)),
          value, reward, ppo, train, new ObjectMapper().valueToTree(train), manager, Worker.local());
          MetricsLog metrics = MetricsLog.create(metricsFile, conf)) {
        loop.run(prompts, new EpochOrder(prompts.length, 8, 5, DataPosition.START, "prompts"), TrainProgress.START,
            metrics, new ProgressLine(PpoFixtures.quiet(), iterations), checkpoints);
        times = loop.phaseTimes();
      }
    }
    assertEquals(iterations, times.size());
    for (PpoPhaseTimes t : times) {
      assertTrue(t.rolloutSeconds() > 0 && t.scoringSeconds() > 0 && t.updateSeconds() > 0, t.toString());
      assertTrue(t.rolloutSeconds() + t.scoringSeconds() + t.updateSeconds() <= t.iterationSeconds(),
          t.toString());
    }
    List<JsonNode> lines = MetricsLog.read(metricsFile, conf);
    for (int i = 0; i < iterations; i++) {
      assertEquals(times.get(i).updateSeconds(), lines.get(i).get(PpoPhaseTimes.UPDATE).asDouble(), 1e-12);
      assertEquals(times.get(i).iterationSeconds(), lines.get(i).get(PpoPhaseTimes.ITERATION).asDouble(), 1e-12);
    }
  }
}
