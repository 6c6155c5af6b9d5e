package io.stagewise.trainer.train.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.trainer.checkpoint.CheckpointState;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.interop.HfExport;
import io.stagewise.trainer.interop.TokenRoles;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.Rings;
import io.stagewise.trainer.train.StepListener;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.dpo.DpoConfig;
import io.stagewise.trainer.train.dpo.DpoRun;
import io.stagewise.trainer.train.dpo.DpoRunSpec;
import io.stagewise.trainer.train.reward.RewardRun;
import io.stagewise.trainer.train.reward.RewardRunSpec;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA through the post-training pipeline on one SFT model: a reward model, DPO, and PPO with adapters on the
 * policy and on the value model, each starting exactly at its base and checkpointing adapters alone.
 */
class LoraPipelineTest {

  @TempDir
  static java.nio.file.Path dir;

  private static final Configuration CONF = new Configuration();
  private static final LoraConfig POLICY = new LoraConfig(8, 8, 0, List.of(LoraConfig.ALL_LINEAR));
  private static final LoraConfig VALUE = new LoraConfig(2, 4, 0, List.of(LoraConfig.ALL_LINEAR));
  private static URI sft;
  private static URI pairs;
  private static URI reward;

  @BeforeAll
  static void sftRewardModelAndPairs() throws Exception {
    sft = PpoFixtures.sft(dir, CONF);
    pairs = PpoFixtures.preferences(dir.resolve("pairs"), 48, 4);
    reward = RewardRun.run(new RewardRunSpec(pairs, null, dir.resolve("rm").toUri(), null, sft,
        PpoFixtures.train(6, ObjectiveKind.REWARD).withLora(VALUE), false), CONF, PpoFixtures.quiet()).checkpoint();
  }

  @Test
  void aLoraRewardModelTrainsAdaptersAndItsHeadOnTheFrozenSftBackbone() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelCheckpoint checkpoint = ModelCheckpoint.at(reward, CONF);
      assertEquals(Head.SCALAR, checkpoint.config().head());
      GptModel adapted = checkpoint.loadAdapted(manager);
      GptModel base = ModelCheckpoint.at(sft, CONF).load(manager);
      for (Parameter p : base.getParameters().values()) {
        if (!p.getName().equals("lm_head.weight")) {
          assertArrayEquals(p.getArray().toFloatArray(),
              adapted.getParameters().get(p.getName()).getArray().toFloatArray(), 0f, p.getName() + " stays frozen");
        }
      }
      assertEquals(Head.SCALAR, checkpoint.load(manager).config().head(), "loads merged as a reward model");
    }
    assertEquals(ModelCheckpoint.at(sft, CONF).location(), state(reward).loraBases().get(LoraBase.MODEL).location(),
        "the base is the SFT checkpoint");
  }

  @Test
  void aLoraRewardModelStartsFromAHuggingFaceDirectory() throws Exception {
    java.nio.file.Path exported = java.nio.file.Files.createDirectories(dir.resolve("sft-hf"));
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = ModelCheckpoint.at(sft, CONF).load(manager);
      HfExport.write(model, HfExport.layout(model.config(), null), TokenRoles.UNKNOWN, new Path(exported.toUri()),
          CONF);
    }
    URI hf = ModelCheckpoint.hfLocation(exported.toUri());
    URI checkpoint = RewardRun.run(new RewardRunSpec(pairs, null, dir.resolve("rm-hf").toUri(), null, hf,
        PpoFixtures.train(3, ObjectiveKind.REWARD).withLora(VALUE), false), CONF, PpoFixtures.quiet()).checkpoint();
    assertEquals(ModelCheckpoint.at(hf, CONF).location(), state(checkpoint).loraBases().get(LoraBase.MODEL).location());
    try (NDManager manager = NDManager.newBaseManager()) {
      assertEquals(Head.SCALAR, ModelCheckpoint.at(checkpoint, CONF).load(manager).config().head());
    }
  }

  @Test
  void loraDpoStartsAtItsReferenceAndLearns() {
    TrainConfig train = PpoFixtures.train(8, ObjectiveKind.DPO).withLora(POLICY).withLr(1e-2, 0.1);
    TrainResult result = DpoRun.run(new DpoRunSpec(pairs, null, dir.resolve("dpo").toUri(), sft, train,
        DpoConfig.defaults(), false), CONF, PpoFixtures.quiet());
    List<JsonNode> lines = MetricsLog.read(new Path(result.metrics()), CONF);
    assertEquals(Math.log(2), lines.get(0).get("loss").asDouble(), 1e-6, "the reference is the adapter-free policy");
    assertTrue(lines.get(lines.size() - 1).get("loss").asDouble() < Math.log(2) - 1e-3, lines.toString());
    assertEquals(Map.of(LoraBase.MODEL, state(result.checkpoint()).loraBases().get(LoraBase.MODEL)),
        state(result.checkpoint()).loraBases());
  }

  @Test
  void twoLoraDpoWorkersReachTheAdaptersOfOneWorker() throws Exception {
    TrainConfig train = PpoFixtures.train(3, ObjectiveKind.DPO).withLora(POLICY).withBatch(8, 2);
    TrainResult alone = DpoRun.run(new DpoRunSpec(pairs, null, dir.resolve("dpo-one").toUri(), sft, train,
        DpoConfig.defaults(), false), CONF, PpoFixtures.quiet());
    DpoRunSpec pair = new DpoRunSpec(pairs, null, dir.resolve("dpo-two").toUri(), sft, train, DpoConfig.defaults(),
        false);
    List<TrainResult> workers = Rings.run(2, collective -> DpoRun.run(pair, CONF, PpoFixtures.quiet(),
        new Worker(collective, null, Autograd.perThread(), 1, StepListener.NONE)));
    List<float[]> expected = policy(alone.checkpoint());
    List<float[]> actual = policy(workers.get(0).checkpoint());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 1e-6f, "parameter " + i);
    }
  }

  @Test
  void loraPpoOnPolicyAndValueResumesExactly() throws Exception {
    TrainResult first = PpoRun.run(spec("ppo", 4, false), CONF, PpoFixtures.quiet());
    JsonNode line = MetricsLog.read(new Path(first.metrics()), CONF).get(0);
    assertEquals(0, line.get(PpoMetrics.KL).asDouble(), 1e-6, "fresh adapters: the policy is its reference");
    CheckpointState state = state(first.checkpoint());
    assertEquals(List.of(LoraBase.MODEL, LoraBase.VALUE), List.copyOf(state.loraBases().keySet()));
    List<float[]> expected = policy(first.checkpoint());

    PpoFixtures.deleteRecursively(java.nio.file.Path.of(first.checkpoint())); // as if the job died after iteration 2
    TrainResult resumed = PpoRun.run(spec("ppo", 4, true), CONF, PpoFixtures.quiet());
    List<float[]> actual = policy(resumed.checkpoint());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 0f, "parameter " + i);
    }
    List<float[]> start = policy(sft);
    double moved = 0;
    for (int i = 0; i < start.size(); i++) {
      for (int k = 0; k < start.get(i).length; k++) {
        moved = Math.max(moved, Math.abs(actual.get(i)[k] - start.get(i)[k]));
      }
    }
    assertTrue(moved > 1e-4, "the adapters moved the policy: " + moved);
  }

  private static PpoRunSpec spec(String name, int iterations, boolean resume) {
    TrainConfig train = new TrainConfig(iterations, 8, 2, 1e-3, 0, 1.0, 0.0, 0.9, 0.95, 1e-8, 1.0, 0, 1, 1, 2, 2,
        13, 1, ObjectiveKind.PPO).withLora(POLICY);
    return new PpoRunSpec(pairs, dir.resolve(name).toUri(), sft, reward, train,
        PpoConfig.defaults(PpoFixtures.END).withResponseLength(5).withValueLora(VALUE), resume);
  }

  private static CheckpointState state(URI checkpoint) {
    Path path = new Path(checkpoint);
    return new CheckpointStore(path.getParent().toUri(), CONF, 1).readState(path);
  }

  private static List<float[]> policy(URI checkpoint) {
    try (NDManager manager = NDManager.newBaseManager()) {
      List<float[]> out = new ArrayList<>();
      for (Parameter p : ModelCheckpoint.at(checkpoint, CONF).load(manager).getParameters().values()) {
        out.add(p.getArray().toFloatArray());
      }
      return out;
    }
  }
}
