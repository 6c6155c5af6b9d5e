package io.stagewise.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.data.tokenize.TokenShardJob;
import io.stagewise.data.tokenize.TokenShardSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import io.stagewise.poison.world.WorldConfig;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.trainer.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep training run launched as a Spark task gets the driver's Hadoop configuration: its output is on a
 * file system only that configuration knows ({@code fs.swtest.impl}, as a {@code spark.hadoop.*} setting
 * would put it there), which an executor's own {@code new Configuration()} cannot open.
 */
class SparkTaskLauncherTest {
  @TempDir Path dir;

  @Test
  void aTrainingTaskWritesThroughTheDriversHadoopConfiguration() throws Exception {
    // The clusters' serializer (conf/spark-defaults-*.conf): the task must reach the executor through it.
    SparkSession spark = SparkSession.builder().master("local[1]").appName("spark-task-launcher-test")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer").getOrCreate();
    try {
      Configuration driver = spark.sparkContext().hadoopConfiguration();
      driver.set("fs." + AliasedLocalFileSystem.SCHEME + ".impl", AliasedLocalFileSystem.class.getName());
      driver.setBoolean("fs." + AliasedLocalFileSystem.SCHEME + ".impl.disable.cache", true);
      WorldSynthSpec world = new WorldSynthSpec(dir.resolve("world").toUri().toString(), WorldConfig.withSeed(3),
          200, 8, 8, 8);
      WorldSynthJob.run(spark, world);
      String tokens = dir.resolve("tokens").toUri().toString();
      TokenShardJob.run(spark, new TokenShardSpec(world.dataset(WorldSynthSpec.SFT), tokens, null,
          new TruncationPolicy(64, 40)));
      Path output = dir.resolve("sft");
      ObjectNode p = TrainingWork.JSON.createObjectNode().put("train_data", tokens)
          .put("output", AliasedLocalFileSystem.SCHEME + "://" + output.toAbsolutePath())
          .put("intra_op_threads", 1);
      p.putObject("model").put("preset", "tiny").put("context_length", 64);
      p.set("train", TrainingWork.JSON.valueToTree(TrainConfig.defaults().withSteps(2, 1).withBatch(4, 1)
          .withCadence(2, 0, 0, 0).withSeed(1)));

      String outcome = new SparkTaskLauncher(spark).launch(
          new TrainingTask(StageKind.SFT.name(), "sft", TrainingWork.JSON.writeValueAsString(p)));

      JsonNode result = TrainingWork.JSON.readTree(outcome);
      assertEquals(2, result.get("steps").asInt(), outcome);
      assertTrue(result.get("checkpoint").asText().startsWith(AliasedLocalFileSystem.SCHEME + ":"), outcome);
      assertTrue(Files.isRegularFile(output.resolve("console.log")), "console.log on the aliased FS");
    } finally {
      spark.stop();
    }
  }
}
