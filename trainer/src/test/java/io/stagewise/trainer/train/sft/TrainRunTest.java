package io.stagewise.trainer.train.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.ShardFiles;
import io.stagewise.trainer.interop.HfExport;
import io.stagewise.trainer.interop.HfLayout;
import io.stagewise.trainer.interop.TokenRoles;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.model.BlockSparsity;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.optim.TrainableParameter;
import io.stagewise.trainer.train.InitialWeights;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TinyRuns;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainRunTest {

  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();
  private URI trainData;
  private URI evalData;

  @BeforeEach
  void writeShards() throws Exception {
    trainData = shards("train", TinyRuns.rows(48, 1));
    evalData = shards("eval", TinyRuns.rows(16, 2), "test");
  }

  @Test
  void resumedRunRewritesTheSameMetricsAsAnUninterruptedOne() throws Exception {
    TrainRunSpec spec = spec(TinyRuns.config(6).withCadence(1, 3, 2, 2), false);
    TrainResult first = TrainRun.run(spec, conf, quiet());
    List<JsonNode> uninterrupted = stable(MetricsLog.read(new Path(first.metrics()), conf));
    assertEquals(6, first.progress().step());
    assertTrue(first.checkpoint().toString().endsWith("step-000000006-w000000001"), first.checkpoint().toString());

    // Lose the last checkpoint, as if the job died after step 4's checkpoint.
    deleteRecursively(java.nio.file.Path.of(first.checkpoint()));
    TrainResult resumed = TrainRun.run(spec(spec.train(), true), conf, quiet());

    assertEquals(uninterrupted, stable(MetricsLog.read(new Path(resumed.metrics()), conf)));
    assertEquals(first.progress(), resumed.progress());
  }

  @Test
  void anOutputWithCheckpointsIsNotOverwrittenWithoutResume() {
    TrainRunSpec spec = spec(TinyRuns.config(2).withCadence(1, 0, 1, 0), false);
    TrainRun.run(spec, conf, quiet());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainRun.run(spec, conf, quiet()));
    assertTrue(e.getMessage().contains("resume"), e.getMessage());
  }

  @Test
  void trainsAMixtureOfExpertsWithRopeAndRmsNorm() {
    ModelSpec moe = new ModelSpec("tiny", TinyRuns.CONTEXT, "rmsnorm", "rope", "chunked", 2, 4, 2, null, null, null,
        null, null, null);
    TrainRunSpec spec = new TrainRunSpec(trainData, evalData, dir.resolve("moe").toUri(), moe,
        TinyRuns.config(4).withCadence(1, 0, 1, 0).withIntraOpThreads(1), false, null);

    TrainResult result = TrainRun.run(spec, conf, quiet());

    assertEquals(4, result.model().experts());
    List<JsonNode> records = MetricsLog.read(new Path(result.metrics()), conf);
    assertTrue(records.stream().allMatch(r -> Double.isFinite(r.get("loss").asDouble())), records.toString());
  }

  @Test
  void specErrorsAreListedTogether() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig(0, 8, 3,
        -1, 0, 0.1, 0.1, 0.9, 0.95, 1e-8, 1, 0, 1, 1, 0, 1, 0, 0, ObjectiveKind.LM));
    assertTrue(e.getMessage().contains("train.steps") && e.getMessage().contains("train.microBatches")
        && e.getMessage().contains("train.lr"), e.getMessage());
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
        () -> new ModelSpec("huge", null, "batchnorm", null, null, null, 4, null, null, null, null, null, null, null));
    assertTrue(m.getMessage().contains("model.preset") && m.getMessage().contains("model.norm")
        && m.getMessage().contains("model.topK"), m.getMessage());
    IllegalArgumentException sparse = assertThrows(IllegalArgumentException.class,
        () -> new ModelSpec("tiny", null, null, null, "standard", null, null, null, null, null, 16, null, 0, null));
    assertTrue(sparse.getMessage().contains("model.sparse_*: the block-sparse settings need attention=sparse")
        && sparse.getMessage().contains("model.sparseLocalBlocks"), sparse.getMessage());
    ModelSpec geometry = new ModelSpec("tiny", null, null, null, "sparse", null, null, null, null, null, 16, 3, null, null);
    assertEquals(new BlockSparsity(16, 3, 1), geometry.resolve(50).sparsity(), "unset fields keep the default");
  }

  @Test
  void startsFromAHuggingFaceExportAndNamesEveryArchitectureMismatch() throws Exception {
    ModelSpec llama = new ModelSpec("tiny", TinyRuns.CONTEXT, "rmsnorm", "rope", null, 2, null, null, 0f, false, null,
        null, null, "swiglu");
    TrainConfig train = TinyRuns.config(3).withCadence(1, 0, 1, 0).withIntraOpThreads(1);
    TrainResult first = TrainRun.run(new TrainRunSpec(trainData, null, dir.resolve("first").toUri(), llama, train,
        false, null), conf, quiet());
    java.nio.file.Path exported = Files.createDirectories(dir.resolve("hf"));
    try (NDManager manager = NDManager.newBaseManager()) {
      HfExport.write(ModelCheckpoint.at(first.checkpoint(), conf).load(manager), HfLayout.named("llama"),
          TokenRoles.UNKNOWN, new Path(exported.toUri()), conf);
    }
    URI init = ModelCheckpoint.hfLocation(exported.toUri());

    // The weights arrive bit for bit: the first checkpoint's parameters, through the Hugging Face files.
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel trained = ModelCheckpoint.at(first.checkpoint(), conf).load(manager);
      GptModel started = GptModel.create(trained.config(), manager, 99);
      InitialWeights.load(init, started, manager, conf);
      for (var p : trained.getParameters()) {
        assertArrayEquals(p.getValue().getArray().toFloatArray(),
            started.getParameters().get(p.getKey()).getArray().toFloatArray(), p.getKey());
      }
    }
    TrainResult continued = TrainRun.run(new TrainRunSpec(trainData, null, dir.resolve("second").toUri(), llama,
        train, false, init), conf, quiet());
    assertEquals(3, continued.progress().step());

    ModelSpec other = new ModelSpec("tiny", TinyRuns.CONTEXT, "layernorm", "rope", null, null, null, null, 0f, false,
        null, null, null, "swiglu");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainRun.checkInit(
        new TrainRunSpec(trainData, null, dir.resolve("third").toUri(), other, train, false, init), conf));
    assertTrue(e.getMessage().contains("model.kv_heads is 2 there, 4 in the run")
        && e.getMessage().contains("model.norm is rmsnorm there, layernorm in the run"), e.getMessage());
  }

  @Test
  void aLoraRunCheckpointsItsAdaptersAloneLoadsOnItsBaseAndRefusesAnother() throws Exception {
    ModelSpec model = new ModelSpec("tiny", TinyRuns.CONTEXT, null, null, null, null, null, null, 0f, null, null, null,
        null, null);
    TrainConfig train = TinyRuns.config(3).withCadence(1, 0, 1, 0).withIntraOpThreads(1);
    URI base = TrainRun.run(new TrainRunSpec(trainData, null, dir.resolve("base").toUri(), model, train, false, null),
        conf, quiet()).checkpoint();
    URI other = TrainRun.run(new TrainRunSpec(trainData, null, dir.resolve("other").toUri(), model,
        train.withSeed(12), false, null), conf, quiet()).checkpoint();
    TrainConfig adapted = train.withLora(new LoraConfig(4, 8, 0.05, List.of(LoraConfig.ALL_LINEAR)));
    TrainRunSpec lora = new TrainRunSpec(trainData, null, dir.resolve("lora").toUri(), model, adapted, false, base);
    TrainResult result = TrainRun.run(lora, conf, quiet());

    ModelCheckpoint checkpoint = ModelCheckpoint.at(result.checkpoint(), conf);
    CheckpointStore store = new CheckpointStore(dir.resolve("lora").resolve("checkpoints").toUri(), conf, 1);
    Path saved = new Path(result.checkpoint());
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel baseModel = ModelCheckpoint.at(base, conf).load(manager);
      assertEquals(baseModel.baseFingerprint().length(), 64);
      GptModel withAdapters = checkpoint.loadAdapted(manager);
      assertEquals(store.readState(saved).loraBases().get(LoraBase.MODEL).fingerprint(), withAdapters.baseFingerprint());
      for (var p : baseModel.getParameters()) {
        assertArrayEquals(p.getValue().getArray().toFloatArray(),
            withAdapters.getParameters().get(p.getKey()).getArray().toFloatArray(), 0f, p.getKey() + " is the base's");
      }
      // The checkpoint holds the adapters and nothing of the base.
      IllegalArgumentException noBase = assertThrows(IllegalArgumentException.class, () -> store.loadParameters(saved,
          List.of(new TrainableParameter("wte.weight", baseModel.getParameters().get("wte.weight").getArray(), true)),
          manager));
      assertTrue(noBase.getMessage().contains("no parameter 'wte.weight'"), noBase.getMessage());
      // Loaded for evaluation or export, the adapters are merged: the same function to float rounding.
      float[] expected = logits(withAdapters, manager);
      float[] merged = logits(checkpoint.load(manager), manager);
      float[] baseLogits = logits(baseModel, manager);
      assertTrue(maxDiff(expected, merged) <= 1e-5, "merged vs adapted: " + maxDiff(expected, merged));
      assertTrue(maxDiff(expected, baseLogits) > 1e-4, "the adapters trained: " + maxDiff(expected, baseLogits));
      // Exported, the merged weights are plain GPT-2 tensors whose model computes the adapted logits.
      java.nio.file.Path exported = Files.createDirectories(dir.resolve("lora-hf"));
      GptModel mergedModel = checkpoint.load(manager);
      HfExport.write(mergedModel, HfExport.layout(mergedModel.config(), null), TokenRoles.UNKNOWN,
          new Path(exported.toUri()), conf);
      float[] imported = logits(ModelCheckpoint.at(ModelCheckpoint.hfLocation(exported.toUri()), conf).load(manager),
          manager);
      assertTrue(maxDiff(expected, imported) <= 1e-5, "exported vs adapted: " + maxDiff(expected, imported));
    }

    String otherFingerprint;
    try (NDManager manager = NDManager.newBaseManager()) {
      otherFingerprint = ModelCheckpoint.at(other, conf).load(manager).baseFingerprint();
    }
    String recorded = store.readState(saved).loraBases().get(LoraBase.MODEL).fingerprint();
    IllegalArgumentException resumed = assertThrows(IllegalArgumentException.class, () -> TrainRun.run(
        new TrainRunSpec(trainData, null, dir.resolve("lora").toUri(), model, adapted, true, other), conf, quiet()));
    assertTrue(resumed.getMessage().contains(recorded) && resumed.getMessage().contains(otherFingerprint),
        resumed.getMessage());

    // The base changed where the checkpoint says it is: loading is refused, naming both fingerprints.
    for (String file : List.of("params.bin", ".params.bin.crc")) { // the tensors and Hadoop's checksum of them
      Files.copy(java.nio.file.Path.of(other).resolve(file), java.nio.file.Path.of(base).resolve(file),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      IllegalArgumentException moved = assertThrows(IllegalArgumentException.class, () -> checkpoint.load(manager));
      assertTrue(moved.getMessage().contains(recorded) && moved.getMessage().contains(otherFingerprint),
          moved.getMessage());
    }

    IllegalArgumentException noInit = assertThrows(IllegalArgumentException.class,
        () -> new TrainRunSpec(trainData, null, dir.resolve("x").toUri(), model, adapted, false, null));
    assertTrue(noInit.getMessage().startsWith("train.lora: "), noInit.getMessage());
    IllegalArgumentException gate = assertThrows(IllegalArgumentException.class, () -> new TrainRunSpec(trainData,
        null, dir.resolve("x").toUri(), model, train.withLora(new LoraConfig(2, 2, 0, List.of("mlp.gate"))), false,
        base));
    assertTrue(gate.getMessage().startsWith("train.lora.targets: [mlp.gate]"), gate.getMessage());
  }

  private static float[] logits(GptModel model, NDManager manager) {
    try (NDManager step = manager.newSubManager()) {
      ai.djl.ndarray.NDArray tokens = step.create(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, new ai.djl.ndarray.types.Shape(
          1, 8));
      return model.forward(new ai.djl.training.ParameterStore(step, false), new ai.djl.ndarray.NDList(tokens), false)
          .get(0).toFloatArray();
    }
  }

  private static double maxDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private TrainRunSpec spec(TrainConfig train, boolean resume) {
    return new TrainRunSpec(trainData, evalData, dir.resolve("run").toUri(),
        new ModelSpec("tiny", TinyRuns.CONTEXT, null, null, null, null, null, null, 0.1f, null, null, null, null, null),
        train.withIntraOpThreads(1), resume, null);
  }

  private URI shards(String name, TokenSequences rows) throws Exception {
    return shards(name, rows, "train");
  }

  private URI shards(String name, TokenSequences rows, String split) throws Exception {
    java.nio.file.Path root = Files.createDirectories(dir.resolve(name));
    int half = rows.size() / 2;
    ShardFiles.writeSequences(new Path(root.resolve("part-00000.parquet").toUri()),
        java.util.Arrays.copyOfRange(rows.inputIds(), 0, half),
        java.util.Arrays.copyOfRange(rows.lossMask(), 0, half), r -> split);
    ShardFiles.writeSequences(new Path(root.resolve("part-00001.parquet").toUri()),
        java.util.Arrays.copyOfRange(rows.inputIds(), half, rows.size()),
        java.util.Arrays.copyOfRange(rows.lossMask(), half, rows.size()), r -> split);
    Files.writeString(root.resolve("_manifest.json"), """
                {"schema_version": 1, "kind": "sft_tokens", "fingerprint": "f",
                 "tokenizer": {"kind": "test", "vocab_size": %d, "special_ids": {"<|pad|>": 0}}}"""
        .formatted(TinyRuns.VOCAB));
    return root.toUri();
  }

  /** The records without wall-clock throughput, which legitimately differs between runs. */
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

  private static PrintStream quiet() {
    return new PrintStream(OutputStream.nullOutputStream());
  }
}
