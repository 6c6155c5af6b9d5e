package io.stagewise.sweep.run;

import io.stagewise.data.LocalSpark;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.data.tokenize.TokenShardJob;
import io.stagewise.data.tokenize.TokenShardSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import io.stagewise.poison.world.WorldConfig;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** One dataset of a small synthetic world, tokenized: the data of the stage-level tests that train a few steps. */
final class WorldTokens {

  private WorldTokens() {
  }

  /** The world's {@code dataset} ({@link WorldSynthSpec#SFT}, ...) as token shards under {@code dir}; their URI. */
  static String of(Path dir, String dataset) {
    SparkSession spark = LocalSpark.start();
    String tokens = dir.resolve(dataset + "-tokens").toUri().toString();
    try {
      WorldSynthSpec world = new WorldSynthSpec(dir.resolve("world").toUri().toString(), WorldConfig.withSeed(3), 200,
          64, 8, 8);
      WorldSynthJob.run(spark, world);
      TokenShardJob.run(spark, new TokenShardSpec(world.dataset(dataset), tokens, null,
          new TruncationPolicy(96, 56)));
    } finally {
      spark.stop();
    }
    return tokens;
  }
}
