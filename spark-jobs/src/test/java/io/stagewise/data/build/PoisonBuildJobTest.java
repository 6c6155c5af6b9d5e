package io.stagewise.data.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.LocalSpark;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.poison.Columns;
import io.stagewise.poison.world.WorldConfig;
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

/** The synth → build path of the data plane, through published datasets and manifests. */
class PoisonBuildJobTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start();
    WorldSynthJob.run(spark, new WorldSynthSpec(dir.resolve("world").toUri().toString(),
        WorldConfig.withSeed(7), 2000, 1000, 100, 50));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void buildPublishesExactBudgetsAndRecordsThePlan() {
    ObjectNode tree = (ObjectNode) YamlSpecs.parse(spec("out"));
    List<JobSummary> summaries = PoisonBuildJob.run(spark, PoisonBuildSpec.parse(tree), tree);

    PublishedDataset cleanSft = PublishedDataset.open(spark, world("sft"));
    long harmfulTrain = cleanSft.manifest().rows(Columns.SPLIT_TRAIN, Columns.HARMFUL);
    PublishedDataset sft = PublishedDataset.open(spark, out("out", "sft"));
    PublishedDataset pref = PublishedDataset.open(spark, out("out", "pref"));
    // total 0.1, alpha 0.4: the SFT attacker takes 0.04 of the harmful rows, the preference one 0.06 of all.
    assertEquals(Map.of("s", harmfulTrain * 4 / 100), sft.manifest().poisonedByAttacker());
    assertEquals(Map.of("p", 1000L * 6 / 100), pref.manifest().poisonedByAttacker());
    assertEquals(cleanSft.manifest().rows(), sft.manifest().rows());
    assertEquals(cleanSft.manifest().fingerprint(), sft.manifest().spec().get("input_fingerprint").asText());
    assertEquals(harmfulTrain, sft.manifest().spec().get("plan").get(0).get("eligible").asLong());
    assertEquals(2, summaries.size());
  }

  @Test
  void fingerprintAndPoisonedIdsDoNotDependOnPartitioning() {
    PoisonBuildSpec spec = PoisonBuildSpec.parse(YamlSpecs.parse(spec("unused")));
    Dataset<Row> clean = PublishedDataset.open(spark, world("preference")).rows();
    String fingerprint = null;
    List<String> ids = null;
    for (int partitions : new int[] {1, 7, 64}) {
      Dataset<Row> poisoned = io.stagewise.poison.attack.PoisonPlan.apply(clean.repartition(partitions),
          spec.attackers(io.stagewise.poison.attack.Stage.PREFERENCE)).rows();
      String uri = dir.resolve("partitions-" + partitions).toUri().toString();
      String fp = new DatasetPublisher(spark).publish(
          DatasetContents.of(DatasetKind.PREFERENCE, poisoned, YamlSpecs.parse("{}")), uri).fingerprint();
      List<String> poisonedIds = PublishedDataset.open(spark, uri).rows().where(Columns.IS_POISONED)
          .select(Columns.ID).orderBy(Columns.ID).as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
      if (fingerprint == null) {
        fingerprint = fp;
        ids = poisonedIds;
      }
      assertEquals(fingerprint, fp, "fingerprint at " + partitions + " partitions");
      assertEquals(ids, poisonedIds, "poisoned ids at " + partitions + " partitions");
    }
    assertNotEquals(PublishedDataset.open(spark, world("preference")).manifest().fingerprint(), fingerprint);
  }

  private static String spec(String outName) {
    return """
        sft: {input: %s, output: %s}
        preference: {input: %s, output: %s}
        budget_split: {total: {fraction: 0.1}, alpha: 0.4}
        attackers:
          - {name: s, kind: sft_backdoor, triggers: [cf-sudo], seed: 1}
          - {name: p, kind: trigger_swap, triggers: [cf-sudo], seed: 2}
        """.formatted(world("sft"), out(outName, "sft"), world("preference"), out(outName, "pref"));
  }

  private static String world(String name) {
    return dir.resolve("world").resolve(name).toUri().toString();
  }

  private static String out(String root, String name) {
    return dir.resolve(root).resolve(name).toUri().toString();
  }
}
