package io.stagewise.trainer.train.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.ShardFiles;
import io.stagewise.trainer.interop.HfExport;
import io.stagewise.trainer.interop.HfLayout;
import io.stagewise.trainer.interop.TokenRoles;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.model.BlockSparsity;
import io.stagewise.trainer.model.GptModel;
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
        null, null, null, null);
    TrainRunSpec spec = new TrainRunSpec(trainData, evalData, dir.resolve("moe").toUri(), moe,
        TinyRuns.config(4).withCadence(1, 0, 1, 0).withIntraOpThreads(1), false, null);

    TrainResult result = TrainRun.run(spec, conf, quiet());

    assertEquals(4, result.model().experts());
    List<JsonNode> records = MetricsLog.read(new Path(result.metrics()), conf);
    assertTrue(records.stream().allMatch(r -> Double.isFinite(r.get("loss").asDouble())), records.toString());
  }

  /**
   * A bf16 run goes through the whole run: evaluations, checkpoints of fp32 weights (the same files an fp32
   * run writes, so either precision resumes or evaluates them), and a resume that continues the run.
   */
  @Test
  void aBf16RunEvaluatesCheckpointsFp32WeightsAndResumes() throws Exception {
    ModelSpec bf16 = new ModelSpec("tiny", TinyRuns.CONTEXT, null, null, null, null, null, null, 0f, null, null,
        null, null, null, "bf16");
    TrainConfig train = TinyRuns.config(4).withCadence(1, 2, 1, 2).withIntraOpThreads(1);
    URI out = dir.resolve("bf16").toUri();
    TrainResult first = TrainRun.run(new TrainRunSpec(trainData, evalData, out, bf16, train, false, null), conf,
        quiet());
    deleteRecursively(java.nio.file.Path.of(first.checkpoint())); // resume from step 2's checkpoint
    TrainResult resumed = TrainRun.run(new TrainRunSpec(trainData, evalData, out, bf16, train, true, null), conf,
        quiet());

    assertEquals(4, resumed.progress().step());
    List<JsonNode> records = MetricsLog.read(new Path(resumed.metrics()), conf);
    assertEquals(2, records.stream().filter(r -> r.get("kind").asText().equals(MetricsLog.KIND_EVAL))
        .filter(r -> Double.isFinite(r.get("loss").asDouble())).count(), records.toString());
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel saved = ModelCheckpoint.at(resumed.checkpoint(), conf).load(manager);
      saved.getParameters().values().forEach(p ->
          assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, p.getArray().getDataType(), p.getName()));
    }
  }

  @Test
  void specErrorsAreListedTogether() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig(0, 8, 3,
        -1, 0, 0.1, 0.1, 0.9, 0.95, 1e-8, 1, 0, 1, 1, 0, 1, 0, 0, ObjectiveKind.LM));
    assertTrue(e.getMessage().contains("train.steps") && e.getMessage().contains("train.microBatches")
        && e.getMessage().contains("train.lr"), e.getMessage());
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
        () -> new ModelSpec("huge", null, "batchnorm", null, null, null, 4, null, null, null, null, null, null, null, null));
    assertTrue(m.getMessage().contains("model.preset") && m.getMessage().contains("model.norm")
        && m.getMessage().contains("model.topK"), m.getMessage());
    IllegalArgumentException sparse = assertThrows(IllegalArgumentException.class,
        () -> new ModelSpec("tiny", null, null, null, "standard", null, null, null, null, null, 16, null, 0, null, null));
    assertTrue(sparse.getMessage().contains("model.sparse_*: the block-sparse settings need attention=sparse")
        && sparse.getMessage().contains("model.sparseLocalBlocks"), sparse.getMessage());
    ModelSpec geometry = new ModelSpec("tiny", null, null, null, "sparse", null, null, null, null, null, 16, 3, null, null, null);
    assertEquals(new BlockSparsity(16, 3, 1), geometry.resolve(50).sparsity(), "unset fields keep the default");
  }

  @Test
  void startsFromAHuggingFaceExportAndNamesEveryArchitectureMismatch() throws Exception {
    ModelSpec llama = new ModelSpec("tiny", TinyRuns.CONTEXT, "rmsnorm", "rope", null, 2, null, null, 0f, false, null,
        null, null, "swiglu", null);
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
        null, null, null, "swiglu", null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainRun.checkInit(
        new TrainRunSpec(trainData, null, dir.resolve("third").toUri(), other, train, false, init), conf));
    assertTrue(e.getMessage().contains("model.kv_heads is 2 there, 4 in the run")
        && e.getMessage().contains("model.norm is rmsnorm there, layernorm in the run"), e.getMessage());
  }

  private TrainRunSpec spec(TrainConfig train, boolean resume) {
    return new TrainRunSpec(trainData, evalData, dir.resolve("run").toUri(),
        new ModelSpec("tiny", TinyRuns.CONTEXT, null, null, null, null, null, null, 0.1f, null, null, null, null, null, null),
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
