package io.stagewise.tests;

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
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Training from and checkpointing to {@code s3a://} (S3Proxy on loopback): token shards published on the
 * object store are read through the resolver, checkpoints are committed by their marker (no rename), and a
 * run whose last checkpoint is lost resumes from the one before and rewrites the same metrics.
 */
class CheckpointS3IT extends OnS3Proxy {
  @Test
  void aRunResumesFromItsLastCommittedCheckpointOnS3a() throws Exception {
    WorldSynthSpec world = new WorldSynthSpec(s3.uri("world"), WorldConfig.withSeed(3), 160, 8, 8, 8);
    WorldSynthJob.run(spark, world);
    String tokens = s3.uri("tokens");
    TokenShardJob.run(spark, new TokenShardSpec(world.dataset(WorldSynthSpec.SFT), tokens, null,
        new TruncationPolicy(64, 40)));
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    TrainRunSpec first = spec(tokens, false);

    TrainResult uninterrupted = TrainRun.run(first, conf, quiet());
    List<JsonNode> metrics = stable(MetricsLog.read(new org.apache.hadoop.fs.Path(uninterrupted.metrics()), conf));
    assertEquals(6, uninterrupted.progress().step());
    assertTrue(uninterrupted.checkpoint().toString().startsWith("s3a://"), uninterrupted.checkpoint().toString());

    // Lose the last checkpoint, as if the job died before step 6's marker.
    org.apache.hadoop.fs.Path last = new org.apache.hadoop.fs.Path(uninterrupted.checkpoint());
    last.getFileSystem(conf).delete(last, true);
    TrainResult resumed = TrainRun.run(spec(tokens, true), conf, quiet());

    assertEquals(metrics, stable(MetricsLog.read(new org.apache.hadoop.fs.Path(resumed.metrics()), conf)));
    assertEquals(uninterrupted.progress(), resumed.progress());
    assertTrue(resumed.checkpoint().toString().startsWith(s3.uri("run")), resumed.checkpoint().toString());
  }

  private static TrainRunSpec spec(String tokens, boolean resume) {
    TrainConfig train = TrainConfig.defaults().withSteps(6, 1).withBatch(8, 1).withLr(3e-3, 0.1)
        .withCadence(1, 0, 0, 2).withSeed(1).withObjective(ObjectiveKind.SFT).withIntraOpThreads(1);
    // The world's SFT set is all training rows: no held-out evaluation here.
    return new TrainRunSpec(URI.create(tokens), null, URI.create(s3.uri("run")),
        new ModelSpec("tiny", 64, null, null, null, null, null, null, 0.1f, null, null, null, null, null, null), train, resume, null);
  }

  private static PrintStream quiet() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  /** The records without wall-clock throughput, which legitimately differs between runs. */
  private static List<JsonNode> stable(List<JsonNode> records) {
    return records.stream().<JsonNode>map(r -> ((ObjectNode) r.deepCopy()).without("tokens_per_s")).toList();
  }
}
