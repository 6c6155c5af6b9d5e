package io.stagewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.data.manifest.TokenizerInfo;
import io.stagewise.data.tokenize.ByteLevelTokenizer;
import io.stagewise.trainer.checkpoint.CheckpointState;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.AdamWConfig;
import io.stagewise.trainer.optim.TrainableParameter;
import io.stagewise.trainer.train.TrainingLoop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code stagewise export} from a committed checkpoint, with the tokenizer of a byte-level token dataset. */
class ExportCommandTest {

  private static final int VOCAB = 256 + 4;

  @TempDir Path dir;

  @Test
  void writesTheLlamaDirectoryWithItsTokenizerAndRefusesWhatItCannotWrite() throws Exception {
    ModelConfig llama = ModelPresets.get("tiny", VOCAB).withContextLength(32).withNorm(ModelConfig.Norm.RMSNORM)
        .withPosition(ModelConfig.Position.ROPE).withKvHeads(2).withFeedForward(ModelConfig.Mlp.SWIGLU);
    Path checkpoints = checkpoint(llama);
    Path tokens = tokenDataset();
    Path out = dir.resolve("hf");

    Result ok = run("export", "--checkpoint", checkpoints.toString(), "--out", out.toString(), "--data",
        tokens.toString());
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().contains("llama layout, lm head"), ok.out());
    for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "vocab.json", "merges.txt",
        "tokenizer_config.json", "special_tokens_map.json")) {
      assertTrue(Files.exists(out.resolve(file)), file);
    }
    var config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
    assertEquals("LlamaForCausalLM", config.path("architectures").path(0).asText());
    assertEquals(List.of(2, 258, 259), List.of(config.path("num_key_value_heads").asInt(),
        config.path("eos_token_id").asInt(), config.path("pad_token_id").asInt()));

    Result again = run("export", "--checkpoint", checkpoints.toString(), "--out", out.toString());
    assertUserError(again, "--out: " + out + " is not empty");
    Result gpt2 = run("export", "--checkpoint", "hf:" + out, "--out", dir.resolve("gpt2").toString(),
        "--layout", "gpt2");
    assertUserError(gpt2, "the gpt2 layout cannot hold this model: model.norm: rmsnorm");
  }

  private static void assertUserError(Result result, String message) {
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().startsWith("stagewise: ") && result.err().contains(message), result.err());
    assertEquals(1, result.err().strip().lines().count(), "one line, no stack trace: " + result.err());
  }

  private Path checkpoint(ModelConfig config) {
    Path root = dir.resolve("run").resolve("checkpoints");
    ObjectMapper json = new ObjectMapper();
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(config, manager, 3);
      List<TrainableParameter> parameters = TrainingLoop.trainableParameters(model);
      try (AdamW optimizer = new AdamW(new AdamWConfig(0.9, 0.95, 1e-8, 0.1), parameters, manager)) {
        CheckpointStore.forWriting(root.toUri(), new Configuration(), 1).save(new CheckpointState(1, 0, 0,
            DataPosition.START, 3, json.valueToTree(config), json.createObjectNode()), parameters, optimizer);
      }
    }
    return root;
  }

  /** A token dataset's manifest as `data tokenize` writes it with the byte-level tokenizer (no rows needed). */
  private Path tokenDataset() throws Exception {
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    TokenizerInfo tokenizer = new TokenizerInfo(ByteLevelTokenizer.KIND, null, null, 256, VOCAB,
        Map.of("user", 256, "assistant", 257, "end", 258, "pad", 259), 32, null, null);
    Files.writeString(tokens.resolve(Manifest.FILE_NAME), ManifestCodec.toJson(new Manifest(Manifest.SCHEMA_VERSION,
        DatasetKind.SFT_TOKENS, null, 0, null, null, 0, null, "f", null, tokenizer)));
    return tokens;
  }

  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = StagewiseCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    java.io.PrintStream console = System.out;
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(printed, true));
    try {
      int exit = cli.execute(args);
      return new Result(exit, printed + out.toString(), err.toString());
    } finally {
      System.setOut(console);
    }
  }
}
