package io.stagewise.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training as a barrier stage on local Spark: two CPU workers that are threads of one executor
 * JVM, as several task slots per executor are on a GPU node.
 */
class BarrierTrainingTest {

  private static final int STEPS = 6;

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static URI data;
  private static Map<String, float[]> pair;

  @BeforeAll
  static void start() throws Exception {
    spark = SparkSession.builder()
        .master("local[2]")
        .appName("stagewise-distributed-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    data = TrainingFixtures.shards(spark, dir, 48);
    // Two workers, each running one of the batch's two micro-batches.
    pair = TrainingFixtures.parameters(BarrierTraining.run(spark,
        DataParallelRun.of(TrainingFixtures.run(data, dir.resolve("pair"), STEPS, 8, 2), 2)));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void twoWorkersEndWhereOneWorkerWithTheWholeBatchEnds() {
    TrainResult single = TrainRun.run(TrainingFixtures.run(data, dir.resolve("single"), STEPS, 8, 1));

    Map<String, float[]> alone = TrainingFixtures.parameters(single);
    assertEquals(alone.keySet(), pair.keySet());
    for (String name : alone.keySet()) {
      assertArrayEquals(alone.get(name), pair.get(name), 2e-5f, name);
    }
  }

  @Test
  void aWorkerKilledMidRunIsRetriedAndTheRunEndsWhereAnUninterruptedOneEnds() {
    TrainRunSpec run = TrainingFixtures.run(data, dir.resolve("killed"), STEPS, 8, 2);

    TrainResult result = BarrierTraining.run(spark,
        DataParallelRun.of(run, 2).withFault(new FaultInjection(1, 3)));

    assertTrue(Files.exists(dir.resolve("killed").resolve(FaultInjection.MARKER)), "the fault never fired");
    Map<String, float[]> recovered = TrainingFixtures.parameters(result);
    for (String name : pair.keySet()) {
      assertArrayEquals(pair.get(name), recovered.get(name), 0f, name);
    }
    // The retry resumed from step 2's checkpoint and rewrote the metrics from there: each step once.
    List<JsonNode> records = MetricsLog.read(new org.apache.hadoop.fs.Path(result.metrics()), new Configuration());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), records.stream().map(r -> r.get("step").asLong()).toList());
  }

  @Test
  void moreWorkersThanSlotsIsAClearErrorBeforeLaunching() {
    TrainRunSpec run = TrainingFixtures.run(data, dir.resolve("three"), STEPS, 12, 3);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BarrierTraining.run(spark, DataParallelRun.of(run, 3)));

    assertTrue(e.getMessage().contains("--workers 3 needs 3 task slots at once, but the cluster offers 2"),
        e.getMessage());
  }

  @Test
  void microBatchesThatDoNotSplitOverTheWorkersAreRejected() {
    TrainRunSpec run = TrainingFixtures.run(data, dir.resolve("odd"), STEPS, 8, 1);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataParallelRun.of(run, 2));

    assertTrue(e.getMessage().startsWith("train.micro_batches: must be a multiple of the 2 workers"),
        e.getMessage());
  }
}
