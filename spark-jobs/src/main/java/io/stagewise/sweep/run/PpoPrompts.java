package io.stagewise.sweep.run;

import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;

/**
 * A PPO stage's prompt set pinned to one published version, with the end token (PPO's stop token) that version's
 * manifest records. The run is given the version's directory, which resolves to itself, so the prompts it reads
 * and the end token come from the same version even if the set is republished in between.
 *
 * @param version the version directory the run reads
 * @param endToken the chat template's end token
 */
record PpoPrompts(URI version, int endToken) {

  static PpoPrompts resolve(URI prompts, Configuration conf) {
    ResolvedDataset resolved = new DatasetResolver(conf).resolve(prompts);
    Integer end = ShardManifest.read(resolved, conf).specialIds().get("end");
    if (end == null) {
      throw new IllegalArgumentException(resolved.describe() + ": the manifest names no end token");
    }
    return new PpoPrompts(resolved.uri(), end);
  }
}
