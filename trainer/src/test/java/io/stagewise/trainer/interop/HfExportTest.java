package io.stagewise.trainer.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.model.BlockSparsity;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelConfig.Mlp;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export to the GPT-2 and Llama layouts, checked by an independent reader (src/test/python/hf_reader.py: plain
 * PyTorch from config.json and the safetensors bytes, run by Debian's /usr/bin/python3); import then export is
 * bit-identical; configurations neither layout expresses are refused with the switch named.
 */
class HfExportTest {

  private static final int VOCAB = 37;
  private static final int CONTEXT = 16;
  private static final Path READER = Path.of("src/test/python/hf_reader.py");
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final double TOLERANCE = 1e-4;

  @TempDir Path temp;

  /** 2 layers, width 16, 4 heads, context 16, vocabulary 37. */
  private static ModelConfig gpt2() {
    return new ModelConfig(VOCAB, CONTEXT, 2, 4, 4, 16, 32, Norm.LAYERNORM, Position.LEARNED, Attention.STANDARD,
        Mlp.DENSE, 0, 0, 0f, true, Head.LM, 4, 0.01f, BlockSparsity.REFERENCE);
  }

  /** The same sizes as Llama: RMSNorm, RoPE, 2 key/value heads for 4 query heads, SwiGLU, untied head. */
  private static ModelConfig llama() {
    return gpt2().withNorm(Norm.RMSNORM).withPosition(Position.ROPE).withKvHeads(2)
        .withFeedForward(Mlp.SWIGLU).withTiedEmbeddings(false);
  }

  /**
   * Every layout and head against the reader, in one Python process (starting torch dominates the time), plus
   * two controls: with GELU's tanh approximation named, or another RoPE base, the reader must disagree, so its
   * agreement means something.
   */
  @Test
  void exportsMatchTheIndependentReader() throws Exception {
    Assumptions.assumeTrue(torchAvailable(), "/usr/bin/python3 cannot import torch (install python3-torch)");
    Map<Path, Boolean> agrees = new LinkedHashMap<>();
    List<ModelConfig> configs = List.of(gpt2(), gpt2().withTiedEmbeddings(false).withAttention(Attention.CHUNKED),
        gpt2().withHead(Head.SCALAR), llama(), llama().withKvHeads(1).withTiedEmbeddings(true),
        llama().withHead(Head.SCALAR));
    for (int i = 0; i < configs.size(); i++) {
      agrees.put(exportWithCase(configs.get(i), "model-" + i), true);
    }
    Path control = exportWithCase(gpt2(), "control-gelu");
    edit(control, "activation_function", new ObjectMapper().getNodeFactory().textNode("gelu_new"));
    agrees.put(control, false);
    control = exportWithCase(llama(), "control-rope");
    edit(control, "rope_theta", new ObjectMapper().getNodeFactory().numberNode(20000.0));
    agrees.put(control, false);

    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), READER.toString()));
    agrees.keySet().forEach(dir -> command.addAll(List.of(dir.toString(), dir.resolve("case.json").toString())));
    Process reader = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(reader.getInputStream().readAllBytes());
    assertTrue(reader.waitFor(10, TimeUnit.MINUTES), "the reader did not finish");
    System.out.println(output.strip());
    assertEquals(0, reader.exitValue(), output);
    Map<String, Double> differences = new HashMap<>();
    for (String line : output.strip().split("\n")) {
      String[] words = line.split(" ");
      if (words.length > 2 && words[1].equals("max_abs_diff")) {
        differences.put(words[0], Double.parseDouble(words[2]));
      }
    }
    agrees.forEach((dir, agree) -> {
      Double difference = differences.get(dir.toString());
      assertTrue(difference != null && (difference <= TOLERANCE) == agree, dir.getFileName() + " expected "
          + (agree ? "agreement" : "disagreement") + " within " + TOLERANCE + ": " + output);
    });
  }

  @Test
  void importThenExportIsBitIdentical() throws Exception {
    for (ModelConfig config : List.of(gpt2(), llama(), llama().withHead(Head.SCALAR))) {
      try (NDManager manager = NDManager.newBaseManager()) {
        GptModel model = trained(config, manager);
        Path first = export(model, temp.resolve("first-" + config.hashCode()));
        ModelCheckpoint imported = ModelCheckpoint.at(ModelCheckpoint.hfLocation(first.toUri()), new Configuration());
        // The kernel's tiling is no part of the model's function, so the import takes the defaults.
        assertEquals(config.withAttentionChunk(ModelConfig.DEFAULT_ATTENTION_CHUNK), imported.config());
        Path second = export(imported.load(manager), temp.resolve("second-" + config.hashCode()));
        for (String file : List.of(HfExport.CONFIG, HfExport.WEIGHTS)) {
          assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file);
        }
      }
    }
  }

  @Test
  void configurationsNeitherLayoutExpressesAreRefusedWithTheSwitchNamed() {
    assertRefused(gpt2().withNorm(Norm.NONE), "model.norm: none");
    assertRefused(gpt2().withMoe(2, 1), "model.mlp: moe");
    assertRefused(llama().withAttention(Attention.SPARSE), "model.attention: sparse");
    assertRefused(gpt2().withPosition(Position.NONE), "model.position: none");
    IllegalArgumentException gqa = assertThrows(IllegalArgumentException.class,
        () -> HfExport.layout(gpt2().withKvHeads(2), "gpt2"));
    assertTrue(gqa.getMessage().contains("model.kv_heads: 2 of 4"), gqa.getMessage());
    IllegalArgumentException dense = assertThrows(IllegalArgumentException.class,
        () -> HfExport.layout(llama().withDenseMlp(), "llama"));
    assertTrue(dense.getMessage().contains("model.mlp: dense"), dense.getMessage());
  }

  @Test
  void aValueHeadWithABiasIsRefused() {
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = trained(gpt2().withHead(Head.SCALAR), manager);
      model.getParameters().get("value_head.bias").getArray().set(new float[] {0.5f});
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> export(model, temp.resolve("biased")));
      assertTrue(e.getMessage().startsWith("value_head.bias is 0.5"), e.getMessage());
    }
  }

  @Test
  void importRefusesWhatStagewiseDoesNotComputeNamingTheField() throws Exception {
    Path dir;
    try (NDManager manager = NDManager.newBaseManager()) {
      dir = export(trained(gpt2(), manager), temp.resolve("gelu-new"));
    }
    edit(dir, "activation_function", new ObjectMapper().getNodeFactory().textNode("gelu_new"));
    edit(dir, "layer_norm_epsilon", new ObjectMapper().getNodeFactory().numberNode(1e-6));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelCheckpoint.at(ModelCheckpoint.hfLocation(dir.toUri()), new Configuration()));
    assertTrue(e.getMessage().contains("activation_function = \"gelu_new\"")
        && e.getMessage().contains("layer_norm_epsilon = 1.0E-6"), e.getMessage());
  }

  private static void assertRefused(ModelConfig config, String switchNamed) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfExport.layout(config, null));
    assertTrue(e.getMessage().startsWith("no Hugging Face layout expresses this model"), e.getMessage());
    assertTrue(e.getMessage().contains(switchNamed), e.getMessage());
  }

  /** Exports a model of {@code config} with random weights and writes the reader's case beside it. */
  private Path exportWithCase(ModelConfig config, String name) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = trained(config, manager);
      Path dir = export(model, temp.resolve(name));
      int[][] tokens = tokens();
      float[] expected;
      try (NDManager step = manager.newSubManager()) {
        var ids = step.create(flatten(tokens), new Shape(tokens.length, CONTEXT));
        expected = model.forward(new ParameterStore(step, false), new NDList(ids), false).get(0).toFloatArray();
      }
      new ObjectMapper().writeValue(dir.resolve("case.json").toFile(), Map.of("tokens", tokens, "expected", expected));
      return dir;
    }
  }

  private static void edit(Path dir, String field, com.fasterxml.jackson.databind.JsonNode value) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(dir.resolve(HfExport.CONFIG).toFile());
    config.set(field, value);
    json.writeValue(dir.resolve(HfExport.CONFIG).toFile(), config);
  }

  private static boolean torchAvailable() throws InterruptedException {
    try {
      Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      return probe.waitFor(2, TimeUnit.MINUTES) && probe.exitValue() == 0 && Files.exists(READER);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A model whose every parameter is drawn at random, biases and norm gains included (fresh ones are 0 and 1,
   * which would hide a misplaced bias or gain); a scalar head's bias stays 0, as a reward model's does.
   */
  private static GptModel trained(ModelConfig config, NDManager manager) {
    GptModel model = GptModel.create(config, manager, 7);
    Random random = new Random(11);
    Map<String, HostTensor> values = new HashMap<>();
    ParameterTensors.of(model).forEach((name, tensor) -> {
      if (!name.equals("value_head.bias")) {
        float[] v = new float[tensor.values().length];
        boolean gain = name.contains("norm") && name.endsWith(".weight");
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (gain ? 1 + 0.2 * random.nextGaussian() : 0.3 * random.nextGaussian());
        }
        values.put(name, new HostTensor(tensor.shape(), v));
      }
    });
    ParameterTensors.load(model, values, manager);
    return model;
  }

  private Path export(GptModel model, Path dir) throws IOException {
    Files.createDirectories(dir);
    HfLayout layout = HfExport.layout(model.config(), null);
    HfExport.write(model, layout, new TokenRoles(null, VOCAB - 2, VOCAB - 1),
        new org.apache.hadoop.fs.Path(dir.toUri()), new Configuration());
    return dir;
  }

  private static int[][] tokens() {
    Random random = new Random(5);
    int[][] tokens = new int[2][CONTEXT];
    for (int[] row : tokens) {
      for (int t = 0; t < CONTEXT; t++) {
        row[t] = random.nextInt(VOCAB);
      }
    }
    return tokens;
  }

  private static int[] flatten(int[][] rows) {
    int[] flat = new int[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * rows[r].length, rows[r].length);
    }
    return flat;
  }
}
