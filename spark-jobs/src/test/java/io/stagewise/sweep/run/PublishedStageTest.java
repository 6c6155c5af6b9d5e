package io.stagewise.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.LocalSpark;
import io.stagewise.sweep.CheckedInSweeps;
import io.stagewise.sweep.PublishedManifests;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.SweepPlanner;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The published stage refuses datasets republished between planning and running: its key names other rows. */
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
}
