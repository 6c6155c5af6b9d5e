package io.stagewise.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.LocalSpark;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.poison.world.WorldConfig;
import io.stagewise.sweep.CheckedInSweeps;
import io.stagewise.sweep.PublishedManifests;
import io.stagewise.sweep.plan.InputContent;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.SweepPlan;
import io.stagewise.sweep.plan.SweepPlanner;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Published inputs are resolved once, when the sweep is planned: every stage reads that version, even when the
 * dataset is republished between stages; a dataset in the layout before versions, rewritten in place, is
 * refused by the published stage (its key names other rows).
 */
class PublishedStageTest {
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start(1);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aDatasetRepublishedAfterPlanningFailsNamingItsField() throws IOException {
    Path base = PublishedManifests.publish(dir.resolve("nightly"), "monday");
    StageNode published = SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml",
        PublishedManifests.dataOverride(base))).stages().get(0);
    assertEquals(StageKind.PUBLISHED, published.kind());
    StageStore store = new StageStore(dir.resolve("out").toString(), spark.sparkContext().hadoopConfiguration());
    DataStages stages = new DataStages(spark);
    assertEquals("monday-sft", stages.execute(published, store).get("sft").get("fingerprint").asText());

    PublishedManifests.republish(base, "preference", "tuesday");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stages.execute(published, store));
    assertTrue(e.getMessage().startsWith("data.datasets.preference: ") && e.getMessage().contains("republished"),
        e.getMessage());
  }

  @Test
  void everyStageReadsTheVersionPlannedEvenWhenTheWorldIsRepublishedBetweenStages() {
    String world = dir.resolve("world").toUri().toString();
    WorldSynthJob.run(spark, world(world, 30));
    SweepPlan plan = SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml",
        "data={datasets: {sft: " + world + "/sft, preference: " + world + "/preference, eval_harmful: " + world
            + "/eval-harmful, eval_benign: " + world + "/eval-benign}}",
        "grid={totals: [{count: 4}], alphas: [0.5], seeds: [1], presets: [tiny]}"),
        InputContent.of(spark.sparkContext().hadoopConfiguration()));
    StageStore store = new StageStore(dir.resolve("out").toString(), spark.sparkContext().hadoopConfiguration());
    DataStages stages = new DataStages(spark);
    StageNode published = plan.stages().get(0);
    assertEquals(30, stages.execute(published, store).get("preference").get("rows").asInt());

    WorldSynthJob.run(spark, world(world, 50)); // the nightly job republishes while the sweep runs
    assertEquals(50, PublishedDataset.open(spark, world + "/preference").manifest().rows());
    assertEquals(60, PublishedDataset.open(spark, world + "/sft").manifest().rows());
    for (StageNode node : plan.stages()) {
      if (node.kind() == StageKind.TOKENIZE || node.kind() == StageKind.POISON) {
        String dataset = node.config().path("dataset").asText(node.config().path("stage").asText());
        assertEquals(dataset.equals("sft") ? 40 : 30, stages.execute(node, store).get("token_rows").asLong(),
            node.label() + " read the version planned");
      }
    }
    assertEquals(published.config().path("versions").path("preference").asText(),
        store.dataset(published, "preference"));
  }

  private static WorldSynthSpec world(String root, long preferenceRows) {
    return new WorldSynthSpec(root, new WorldConfig(preferenceRows, 0.5, 0.2), preferenceRows + 10, preferenceRows,
        8, 8);
  }
}
