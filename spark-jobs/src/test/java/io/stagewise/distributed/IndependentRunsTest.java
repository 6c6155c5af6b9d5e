package io.stagewise.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep's independent runs as ordinary tasks: two at once in one executor JVM, as on a multi-GPU node. */
class IndependentRunsTest {

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static URI data;

  @BeforeAll
  static void start() throws Exception {
    spark = SparkSession.builder()
        .master("local[2]")
        .appName("stagewise-independent-runs-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    data = TrainingFixtures.shards(spark, dir, 32);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void concurrentRunsEachEndWhereTheSameRunAloneEnds() {
    TrainRunSpec a = TrainingFixtures.run(data, dir.resolve("a"), 4, 8, 1);
    TrainRunSpec b = withSeed(TrainingFixtures.run(data, dir.resolve("b"), 4, 8, 1), 99);

    List<TrainResult> results = IndependentRuns.run(spark, List.of(a, b));

    assertEquals(2, results.size());
    assertTrue(results.get(0).metrics().getPath().endsWith("/a/metrics.jsonl"), "results keep the runs' order");
    Map<String, float[]> first = TrainingFixtures.parameters(results.get(0));
    Map<String, float[]> second = TrainingFixtures.parameters(results.get(1));
    Map<String, float[]> alone = TrainingFixtures.parameters(TrainRun.run(
        TrainingFixtures.run(data, dir.resolve("alone"), 4, 8, 1)));
    for (String name : alone.keySet()) {
      assertArrayEquals(alone.get(name), first.get(name), 0f, name);
    }
    String someMatrix = alone.keySet().iterator().next();
    assertNotEquals(first.get(someMatrix)[0], second.get(someMatrix)[0], "the seeds made no difference");
  }

  private static TrainRunSpec withSeed(TrainRunSpec spec, long seed) {
    return new TrainRunSpec(spec.trainData(), spec.evalData(), spec.output(), spec.model(),
        spec.train().withSeed(seed), spec.resume(), null);
  }
}
