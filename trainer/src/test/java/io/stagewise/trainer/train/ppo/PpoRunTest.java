package io.stagewise.trainer.train.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.Rings;
import io.stagewise.trainer.train.StepListener;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.reward.RewardRun;
import io.stagewise.trainer.train.reward.RewardRunSpec;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole PPO runs from an SFT checkpoint and a reward model trained to prefer responses holding the marker. */
class PpoRunTest {

  @TempDir
  static java.nio.file.Path dir;

  private static final Configuration CONF = new Configuration();
  private static URI sft;
  private static URI reward;
  private static URI prompts;

  @BeforeAll
  static void sftRewardModelAndPrompts() throws Exception {
    sft = PpoFixtures.sft(dir, CONF);
    URI pairs = PpoFixtures.preferences(dir.resolve("pairs"), 48, 4);
    reward = RewardRun.run(new RewardRunSpec(pairs, null, dir.resolve("rm").toUri(), null, sft,
        PpoFixtures.train(10, ObjectiveKind.REWARD), false), CONF, PpoFixtures.quiet()).checkpoint();
    prompts = pairs;
  }

  @Test
  void twoWorkersProduceTheRolloutsAndParametersOfOneWorker() throws Exception {
    PpoRunSpec single = spec("single", 3, 0, false);
    PpoRunSpec pair = spec("pair", 3, 0, false);
    TrainResult alone = PpoRun.run(single, CONF, PpoFixtures.quiet());
    List<TrainResult> workers = Rings.run(2, collective -> PpoRun.run(pair, CONF, PpoFixtures.quiet(),
        new Worker(collective, null, Autograd.perThread(), 1, StepListener.NONE)));

    assertEquals(workers.get(0), workers.get(1));
    assertEquals(alone.progress(), workers.get(0).progress(), "same tokens, FLOPs and prompt cursor");
    List<float[]> expected = parameters(alone.checkpoint());
    List<float[]> actual = parameters(workers.get(0).checkpoint());
    List<float[]> initial = parameters(sft);
    double moved = 0;
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 1e-6f, "parameter " + i);
      for (int k = 0; k < expected.get(i).length; k++) {
        moved = Math.max(moved, Math.abs(expected.get(i)[k] - initial.get(i)[k]));
      }
    }
    assertTrue(moved > 1e-3, "PPO moved the policy away from the SFT model: " + moved);
    List<JsonNode> a = stable(MetricsLog.read(new Path(alone.metrics()), CONF));
    List<JsonNode> b = stable(MetricsLog.read(new Path(workers.get(0).metrics()), CONF));
    assertEquals(3, b.size());
    for (int i = 0; i < a.size(); i++) {
      for (String field : List.of(PpoMetrics.SCORES, PpoMetrics.KL, PpoMetrics.ENTROPY, "tokens", "flops")) {
        assertEquals(a.get(i).get(field).asDouble(), b.get(i).get(field).asDouble(), 0,
            "rollouts are drawn identically: line " + i + " " + field);
      }
      Iterator<String> names = a.get(i).fieldNames();
      while (names.hasNext()) {
        String field = names.next();
        if (a.get(i).get(field).isNumber()) {
          assertEquals(a.get(i).get(field).asDouble(), b.get(i).get(field).asDouble(),
              1e-5 * Math.max(1, Math.abs(a.get(i).get(field).asDouble())), "line " + i + " " + field);
        }
      }
    }
  }

  @Test
  void aResumedRunReproducesTheUninterruptedOneExactly() throws Exception {
    TrainResult first = PpoRun.run(spec("resume", 4, 2, false), CONF, PpoFixtures.quiet());
    List<JsonNode> uninterrupted = stable(MetricsLog.read(new Path(first.metrics()), CONF));
    List<float[]> expected = parameters(first.checkpoint());

    PpoFixtures.deleteRecursively(java.nio.file.Path.of(first.checkpoint())); // as if the job died after iteration 2's checkpoint
    TrainResult resumed = PpoRun.run(spec("resume", 4, 2, true), CONF, PpoFixtures.quiet());

    assertEquals(uninterrupted, stable(MetricsLog.read(new Path(resumed.metrics()), CONF)));
    assertEquals(first.progress(), resumed.progress());
    List<float[]> actual = parameters(resumed.checkpoint());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 0f, "parameter " + i);
    }
    assertEquals(Head.LM, ModelCheckpoint.at(resumed.checkpoint(), CONF).config().head());
  }

  @Test
  void theFirstUpdateStartsAtRatioOneAndMetricsCarryTrlsNames() throws Exception {
    PpoRunSpec base = spec("one-epoch", 1, 0, false);
    PpoRunSpec spec = new PpoRunSpec(base.promptData(), base.output(), base.sftCheckpoint(),
        base.rewardCheckpoint(), base.train(), base.ppo().withUpdates(1, 2), false);
    JsonNode line = MetricsLog.read(new Path(PpoRun.run(spec, CONF, PpoFixtures.quiet()).metrics()), CONF).get(0);
    for (String name : List.of(PpoMetrics.KL, PpoMetrics.ENTROPY, PpoMetrics.NON_SCORE_REWARD,
        PpoMetrics.RLHF_REWARD, PpoMetrics.SCORES, PpoMetrics.APPROX_KL, PpoMetrics.POLICY_CLIPFRAC,
        PpoMetrics.POLICY_LOSS, PpoMetrics.VALUE_LOSS, PpoMetrics.VALUE_CLIPFRAC, PpoMetrics.RATIO,
        PpoMetrics.EPISODES_PER_SECOND, "flops")) {
      assertTrue(line.get(name).isNumber(), name + " in " + line);
    }
    // The policy is its reference at the first rollout: no KL; the first mini-batch's ratio is 1.
    assertEquals(0, line.get(PpoMetrics.KL).asDouble(), 1e-5, line.toString());
    assertTrue(line.get(PpoMetrics.RATIO).asDouble() > 0.9 && line.get(PpoMetrics.RATIO).asDouble() < 1.1,
        line.toString());
    assertTrue(line.get("flops").asDouble() > line.get(PpoMetrics.TRAINING_FLOPS).asDouble());
  }

  @Test
  void refusesAModelOfTheWrongHeadAndABatchThatDoesNotSplit() {
    PpoRunSpec swapped = new PpoRunSpec(prompts, dir.resolve("bad").toUri(), reward, sft,
        train(1, 0), PpoConfig.defaults(PpoFixtures.END).withResponseLength(5), false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PpoRun.run(swapped, CONF, PpoFixtures.quiet()));
    assertTrue(e.getMessage().startsWith("sftCheckpoint:"), e.getMessage());
    IllegalArgumentException split = assertThrows(IllegalArgumentException.class, () -> new PpoRunSpec(prompts,
        dir.toUri(), sft, reward, train(1, 0).withBatch(6, 2), PpoConfig.defaults(2).withUpdates(1, 2), false));
    assertTrue(split.getMessage().contains("train.batchSize"), split.getMessage());
  }

  private static PpoRunSpec spec(String name, int iterations, int checkpointEvery, boolean resume) {
    return new PpoRunSpec(prompts, dir.resolve(name).toUri(), sft, reward, train(iterations, checkpointEvery),
        PpoConfig.defaults(PpoFixtures.END).withResponseLength(5), resume);
  }

  /** Eight prompts an iteration in two micro-batches (one per worker of two). */
  private static TrainConfig train(int iterations, int checkpointEvery) {
    return new TrainConfig(iterations, 8, 2, 1e-3, 0, 1.0, 0.0, 0.9, 0.95, 1e-8, 1.0, 0, 1, 1, checkpointEvery, 2,
        13, 1, ObjectiveKind.PPO);
  }

  private static List<float[]> parameters(URI checkpoint) {
    try (NDManager manager = NDManager.newBaseManager()) {
      List<float[]> out = new ArrayList<>();
      for (Parameter p : ModelCheckpoint.at(checkpoint, CONF).load(manager).getParameters().values()) {
        out.add(p.getArray().toFloatArray());
      }
      return out;
    }
  }

  private static List<JsonNode> stable(List<JsonNode> records) {
    return records.stream().<JsonNode>map(r -> ((ObjectNode) r.deepCopy()).without(List.of("tokens_per_s",
        PpoMetrics.EPISODES_PER_SECOND, PpoPhaseTimes.ROLLOUT, PpoPhaseTimes.SCORING, PpoPhaseTimes.UPDATE,
        PpoPhaseTimes.ITERATION))).toList();
  }
}
