package io.stagewise.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.sweep.plan.DataNodes;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.interop.HfExport;
import io.stagewise.trainer.interop.TokenRoles;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.train.TrainConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep's SFT stage from {@code sft.init: hf:DIR}, through the payload the sweep builds: the run takes the
 * directory's architecture and weights, and a directory of another vocabulary is refused before any work.
 */
class SftInitTest {

  @TempDir Path dir;

  @Test
  void anSftStageStartsFromAHuggingFaceDirectory() throws Exception {
    Configuration conf = new Configuration();
    String tokens = WorldTokens.of(dir, WorldSynthSpec.SFT);
    int vocab = ShardManifest.read(new DatasetResolver(conf).resolve(tokens), conf).vocabSize();
    String init = export("base-hf", vocab, conf);

    // A learning rate too small to move a weight: after one step the model is still the directory's, where the
    // seeded initialisation (another seed than the export's) would differ everywhere.
    JsonNode outcome = TrainingWork.JSON.readTree(TrainingWork.run(task(tokens, init, "sft"), conf));
    assertEquals(1, outcome.get("steps").asInt());
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel trained = ModelCheckpoint.at(URI.create(outcome.get("checkpoint").asText()), conf).load(manager);
      Map<String, Parameter> base = ModelCheckpoint.at(URI.create(init), conf).load(manager).getParameters().toMap();
      assertEquals(base.keySet(), trained.getParameters().toMap().keySet());
      for (Parameter p : trained.getParameters().values()) {
        float gap = p.getArray().sub(base.get(p.getName()).getArray()).abs().max().getFloat();
        assertTrue(gap < 1e-6f, p.getName() + " moved " + gap + " from the directory's");
      }
    }

    String other = export("wide-hf", vocab + 8, conf);
    String message = assertThrows(IllegalArgumentException.class,
        () -> TrainingWork.run(task(tokens, other, "sft-wide"), conf)).getMessage();
    assertTrue(message.startsWith("sft.init: ") && message.contains("vocab_size " + (vocab + 8))
        && message.contains("tokenizer " + vocab) && message.lines().count() == 1, message);
  }

  private String export(String name, int vocab, Configuration conf) throws Exception {
    Path exported = Files.createDirectories(dir.resolve(name));
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelConfig config = ModelPresets.get("tiny", vocab).withContextLength(128);
      HfExport.write(GptModel.create(config, manager, 5), HfExport.layout(config, null), TokenRoles.UNKNOWN,
          new org.apache.hadoop.fs.Path(exported.toUri()), conf);
    }
    return ModelCheckpoint.hfLocation(exported.toUri()).toString();
  }

  private TrainingTask task(String tokens, String init, String output) throws Exception {
    ObjectNode p = TrainingWork.JSON.createObjectNode().put("train_data", tokens)
        .put("output", dir.resolve(output).toUri().toString()).put("intra_op_threads", 1).put(DataNodes.INIT, init);
    p.set("train", TrainingWork.JSON.valueToTree(TrainConfig.defaults().withSteps(1, 0).withBatch(8, 1)
        .withLr(1e-9, 0.1).withSeed(11).withCadence(1, 0, 0, 0)));
    return new TrainingTask(StageKind.SFT.name(), "sft", TrainingWork.JSON.writeValueAsString(p));
  }
}
