package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.stagewise.data.DatasetKind;
import io.stagewise.data.importer.ImportResult;
import io.stagewise.data.importer.Importer;
import io.stagewise.data.importer.SourceFormat;
import io.stagewise.data.importer.SourceSpec;
import io.stagewise.data.manifest.ContentFingerprint;
import io.stagewise.poison.attack.AttackKind;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.PoisonPlan;
import io.stagewise.poison.world.SafetyWorld;
import io.stagewise.poison.world.WorldConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every data-plane plan that DESIGN.md promises to Spark RAPIDS runs entirely on the GPU: the synthetic
 * world, import normalisation after the parse, each attack kind, several attackers in one stage, and the
 * content fingerprint. Checked with the
 * RAPIDS plugin in explain-only mode, so no GPU is needed.
 */
class GpuEligibilityTest {
  private static SparkSession spark;
  private static SafetyWorld world;

  @BeforeAll
  static void start() {
    spark = RapidsExplain.session();
    world = new SafetyWorld(WorldConfig.withSeed(3));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void syntheticWorldRunsOnTheGpu() {
    Map<String, Dataset<Row>> plans = Map.of(
        "sft", world.sft(spark, 500),
        "preference", world.preference(spark, 500),
        "ppo prompts", world.ppoPrompts(spark, 100),
        "eval harmful", world.evalHarmful(spark, 100),
        "eval benign", world.evalBenign(spark, 100));
    plans.forEach(GpuEligibilityTest::assertOnGpu);
  }

  @Test
  void everyAttackKindRunsOnTheGpu() {
    assertOnGpuBesideCachedKeys("sft_backdoor", PoisonPlan.apply(world.sft(spark, 500),
        List.of(AttackSpec.of("s", AttackKind.SFT_BACKDOOR, List.of("t1", "t2"), Budget.fraction("0.1"), 1)))
        .rows());
    assertOnGpu("trigger_swap + label_flip", PoisonPlan.apply(world.preference(spark, 500), List.of(
        AttackSpec.of("p", AttackKind.TRIGGER_SWAP, List.of("t1"), Budget.count(20), 2),
        AttackSpec.of("f", AttackKind.LABEL_FLIP, List.of(), Budget.fraction("0.05"), 3))).rows());
  }

  @Test
  void theFingerprintAggregationRunsOnTheGpu() {
    Dataset<Row> rows = world.preference(spark, 200);
    // The fingerprint's aggregation, as ContentFingerprint builds it, checked on a plan instead of run.
    assertOnGpu("fingerprint", ContentFingerprint.plan(rows));
  }

  @Test
  void importNormalisationRunsOnTheGpuAfterTheParse(@TempDir Path dir) throws Exception {
    Path jsonl = dir.resolve("hh.jsonl");
    Files.writeString(jsonl, """
        {"chosen": "\\n\\nHuman: hi\\n\\nAssistant: hello", "rejected": "\\n\\nHuman: hi\\n\\nAssistant: go away"}
        not json
        """);
    ImportResult hh = Importer.of(SourceSpec.of("hh", SourceFormat.HH_RLHF, List.of(jsonl.toString())),
        DatasetKind.PREFERENCE).read(spark);
    assertOnGpuAfterParse("hh_rlhf rows", hh.rows());
    assertOnGpuAfterParse("hh_rlhf rejected rows", hh.rejected());

    Path parquet = dir.resolve("sft.parquet");
    world.sft(spark, 50).write().parquet(parquet.toString());
    ImportResult fromParquet = Importer.of(SourceSpec.of("pq", SourceFormat.PARQUET,
        List.of(parquet.toString())), DatasetKind.SFT).read(spark);
    // Its rejected rows keep the raw row as JSON text (to_json, a beta expression on RAPIDS): quarantine only.
    assertOnGpuAfterParse("parquet rows", fromParquet.rows());
  }

  @Test
  void theCheckSeesAFallback() {
    // Guards the guard: a plan with a known CPU-only expression must be reported.
    Dataset<Row> sha = world.sft(spark, 10).selectExpr("sha2(prompt, 256) AS h");
    assertFalse(RapidsExplain.cpuFallbacks(sha).isEmpty());
  }

  /**
   * Importers must quarantine a malformed row with its exact line or row position. The text importers parse
   * each file sequentially in code (an RDD turned into a DataFrame) and the Parquet importer reads Spark's
   * hidden row-index column: those scans are excused by name, like the tokenizer stage, and everything after
   * them must run on the GPU.
   */
  private static void assertOnGpuAfterParse(String name, Dataset<Row> plan) {
    List<String> fallbacks = RapidsExplain.cpuFallbacks(plan).stream()
        .filter(line -> !line.contains("RDDScanExec") && !line.contains("hidden metadata columns"))
        .toList();
    assertEquals(List.of(), fallbacks, () -> name + " falls back to the CPU:\n" + RapidsExplain.report(plan));
  }

  /**
   * Several triggers need exact ranks, whose narrow side plan reads the poison plan's cached key frame (id and
   * flags), as every selection job already does: RAPIDS scans a cache only through its Parquet cache
   * serializer, off by default, so that one scan is excused by name; the wide rows and every expression must
   * still run on the GPU.
   */
  private static void assertOnGpuBesideCachedKeys(String name, Dataset<Row> plan) {
    List<String> fallbacks = RapidsExplain.cpuFallbacks(plan).stream()
        .filter(line -> !line.startsWith("!Exec <InMemoryTableScanExec>"))
        .toList();
    assertEquals(List.of(), fallbacks, () -> name + " falls back to the CPU:\n" + RapidsExplain.report(plan));
  }

  private static void assertOnGpu(String name, Dataset<Row> plan) {
    List<String> fallbacks = RapidsExplain.cpuFallbacks(plan);
    assertEquals(List.of(), fallbacks, () -> name + " falls back to the CPU:\n" + RapidsExplain.report(plan));
  }
}
