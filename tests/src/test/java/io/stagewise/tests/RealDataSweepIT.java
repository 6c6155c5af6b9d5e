package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.sweep.SweepDriver;
import io.stagewise.sweep.results.GenerationsTable;
import io.stagewise.sweep.results.ResultRow;
import io.stagewise.sweep.results.ResultsTable;
import io.stagewise.sweep.run.LocalTrainingLauncher;
import io.stagewise.sweep.spec.SpecOverrides;
import io.stagewise.sweep.spec.SweepSpec;
import io.stagewise.sweep.spec.SweepSpecReader;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-data study ({@code conf/sweeps/sft-dpo-real.yaml}) reduced to one seed, three cells and a few
 * steps, end to end from the shared data folder: import (with the hold-out) → poisoned sets → SFT → clean
 * reward model → DPO → evaluation judged by refusal phrases and the clean RM → results, generations, report.
 * To stay short it reads the first {@value #ALPACA_ROWS} Alpaca rows and {@value #HH_LINES} HH-RLHF lines
 * (copied to a temporary folder) and the AdvBench files whole. Skipped when the shared data folder
 * ({@code stagewise.shared.data}) is absent.
 */
class RealDataSweepIT {
  private static final String SPEC_PREFIX = "../shared/data/";
  private static final int ALPACA_ROWS = 300;
  private static final int HH_LINES = 200;
  private static SparkSession spark;

  @TempDir static Path out;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("real-sweep-it")
        .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The checked-in spec with its shared-data paths pointed at {@code stagewise.shared.data}, shrunk. */
  private static SweepSpec reduced(Path data) throws IOException {
    ObjectNode tree = (ObjectNode) YamlSpecs.read(new Configuration(),
        Path.of("..", "conf", "sweeps", "sft-dpo-real.yaml").toString());
    relocate(tree, data);
    SpecOverrides.apply(tree, List.of("data.import.sft[0].paths=[" + alpacaHead(data) + "]",
        "data.import.preference[0].paths=[" + hhHead(data) + "]", "data.import.holdout_fraction=0.05"));
    SpecOverrides.apply(tree, List.of("grid.totals=[{count: 20}]", "grid.alphas=[0, 0.5, 1]", "grid.seeds=[1]",
        "grid.presets=[tiny]", "model.context_length=96", "truncation.max_length=96",
        "truncation.max_prompt_length=64", "sft.steps=4", "sft.warmup_steps=1", "sft.batch_size=8",
        "sft.checkpoint_every=0", "dpo.steps=2", "dpo.warmup_steps=1", "dpo.batch_size=4", "dpo.checkpoint_every=0",
        "reward_model.steps=2", "reward_model.warmup_steps=1", "reward_model.batch_size=8",
        "reward_model.checkpoint_every=0", "eval.harmful_prompts=6", "eval.benign_prompts=4",
        "eval.max_new_tokens=12", "eval.batch_size=6"));
    return SweepSpecReader.read(tree, "sft-dpo-real.yaml (reduced)");
  }

  /** The first Alpaca rows, as a JSON array like the original. */
  private static Path alpacaHead(Path data) throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode all = json.readTree(data.resolve("alpaca/random_9k.json").toFile());
    ArrayNode head = json.createArrayNode();
    for (int i = 0; i < ALPACA_ROWS; i++) {
      head.add(all.get(i));
    }
    Path file = out.resolve("inputs/alpaca-head.json");
    Files.createDirectories(file.getParent());
    json.writeValue(file.toFile(), head);
    return file;
  }

  /** The first HH-RLHF lines, gzipped like the original. */
  private static Path hhHead(Path data) throws IOException {
    Path file = out.resolve("inputs/hh-head.jsonl.gz");
    Files.createDirectories(file.getParent());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        Files.newInputStream(data.resolve("hh_rlhf_harmless_base/test.jsonl.gz"))), StandardCharsets.UTF_8));
        Writer w = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file)), StandardCharsets.UTF_8)) {
      for (int i = 0; i < HH_LINES; i++) {
        w.write(in.readLine());
        w.write('\n');
      }
    }
    return file;
  }

  /** Rewrites every text starting with the spec's shared-data prefix to the same file under {@code data}. */
  private static void relocate(JsonNode node, Path data) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) object::fields) {
        if (field.getValue().isTextual() && field.getValue().asText().startsWith(SPEC_PREFIX)) {
          field.setValue(new TextNode(data.resolve(field.getValue().asText().substring(SPEC_PREFIX.length()))
              .toString()));
        } else {
          relocate(field.getValue(), data);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isTextual() && array.get(i).asText().startsWith(SPEC_PREFIX)) {
          array.set(i, new TextNode(data.resolve(array.get(i).asText().substring(SPEC_PREFIX.length())).toString()));
        } else {
          relocate(array.get(i), data);
        }
      }
    }
  }

  @Test
  void realDataStudyRunsFromImportToReport() throws Exception {
    long start = System.nanoTime();
    String root = System.getProperty("stagewise.shared.data");
    Assumptions.assumeTrue(root != null && Files.isDirectory(Path.of(root, "alpaca")),
        "the shared data folder (stagewise.shared.data) is absent");
    SweepDriver.Summary summary = SweepDriver.run(spark, reduced(Path.of(root)), out.toString(),
        new LocalTrainingLauncher(), new PrintStream(System.err));

    List<ResultRow> rows = ResultsTable.read(spark, summary.results());
    assertEquals(3, rows.size(), "3 alphas x 1 seed x 1 trigger");
    for (ResultRow row : rows) {
      assertEquals(6, row.harmfulPrompts());
      assertEquals(4, row.benignPrompts());
      assertTrue(!Double.isNaN(row.cleanRmGap()), "real data is judged with the clean reward model too");
      List<Row> generations = spark.read().parquet(row.generations()).collectAsList();
      assertEquals(6 + 6 + 4, generations.size(), "every harmful prompt with and without the trigger, every benign one");
      generations.forEach(g -> assertTrue(g.getAs(GenerationsTable.VERDICT) != null));
    }
    String index = Files.readString(out.resolve("report").resolve("index.html"));
    assertTrue(index.contains("asr-vs-alpha.png") && index.contains("Sample generations")
        && index.contains("<table class=\"samples\">"), "the report shows sample generations");
    System.err.printf("[real-data IT] %.0f s%n", (System.nanoTime() - start) / 1e9);
  }
}
