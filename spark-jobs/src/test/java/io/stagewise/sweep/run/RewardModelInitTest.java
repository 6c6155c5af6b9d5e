package io.stagewise.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.sweep.plan.DataNodes;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.interop.HfExport;
import io.stagewise.trainer.interop.TokenRoles;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.train.TrainConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep's reward-model stage from {@code reward_model.init: hf:DIR}, through the payload the sweep builds: the
 * run starts from the directory's backbone, here with LoRA adapters, and its checkpoint names the directory as its
 * base.
 */
class RewardModelInitTest {

  @TempDir Path dir;

  @Test
  void aRewardModelStageStartsFromAHuggingFaceDirectoryWithAdapters() throws Exception {
    Configuration conf = new Configuration();
    String tokens = WorldTokens.of(dir, WorldSynthSpec.PREFERENCE);
    int vocab = ShardManifest.read(new DatasetResolver(conf).resolve(tokens), conf).vocabSize();
    Path exported = Files.createDirectories(dir.resolve("base-hf"));
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelConfig config = ModelPresets.get("tiny", vocab).withContextLength(128);
      HfExport.write(GptModel.create(config, manager, 5), HfExport.layout(config, null), TokenRoles.UNKNOWN,
          new org.apache.hadoop.fs.Path(exported.toUri()), conf);
    }
    String init = ModelCheckpoint.hfLocation(exported.toUri()).toString();

    ObjectNode p = TrainingWork.JSON.createObjectNode().put("train_data", tokens)
        .put("output", dir.resolve("rm").toUri().toString()).put("intra_op_threads", 1).put(DataNodes.INIT, init);
    p.set("train", TrainingWork.JSON.valueToTree(TrainConfig.defaults().withSteps(3, 0).withBatch(8, 1)
        .withCadence(1, 0, 0, 0).withLora(new LoraConfig(4, 8, 0, List.of(LoraConfig.ALL_LINEAR)))));
    JsonNode outcome = TrainingWork.JSON.readTree(TrainingWork.run(new TrainingTask(StageKind.REWARD_MODEL.name(),
        "reward model", TrainingWork.JSON.writeValueAsString(p)), conf));

    assertEquals(3, outcome.get("steps").asInt());
    URI checkpoint = URI.create(outcome.get("checkpoint").asText());
    org.apache.hadoop.fs.Path saved = new org.apache.hadoop.fs.Path(checkpoint);
    LoraBase base = new CheckpointStore(saved.getParent().toUri(), conf, 1).readState(saved).loraBases()
        .get(LoraBase.MODEL);
    assertTrue(base.location().startsWith("hf:") && base.location().contains("base-hf"), base.location());
    try (NDManager manager = NDManager.newBaseManager()) {
      assertEquals(Head.SCALAR, ModelCheckpoint.at(checkpoint, conf).load(manager).config().head());
    }
  }
}
