package io.stagewise.trainer.train.ppo;

import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One PPO run: prompts from preference token shards (their {@code prompt_ids}; the responses are not used), the
 * SFT model as policy start and frozen reference, the reward model as frozen scorer (and the value model's start
 * unless {@code ppo.valueInit} is {@code sft}).
 *
 * @param promptData preference shards (a Parquet dataset directory with {@code _manifest.json})
 * @param output run directory on any Hadoop file system: {@code metrics.jsonl} and {@code checkpoints/}
 * @param sftCheckpoint the SFT model (a checkpoint directory, or a checkpoints directory standing for its latest)
 * @param rewardCheckpoint the reward model ({@code head=scalar}), in the same vocabulary
 * @param train the optimisation settings; {@code objective} must be {@code ppo}, {@code steps} counts iterations
 *     and {@code batchSize} the prompts of one
 * @param ppo the PPO settings
 * @param resume continue from the latest checkpoint under {@code output}; without it an output that already
 *     holds checkpoints is an error
 */
public record PpoRunSpec(URI promptData, URI output, URI sftCheckpoint, URI rewardCheckpoint, TrainConfig train,
    PpoConfig ppo, boolean resume) {

  public PpoRunSpec {
    List<String> errors = new ArrayList<>();
    if (promptData == null) {
      errors.add("promptData: must be set");
    }
    if (output == null) {
      errors.add("output: must be set");
    }
    if (sftCheckpoint == null) {
      errors.add("sftCheckpoint: must be set (PPO starts from an SFT model and keeps it as the reference)");
    }
    if (rewardCheckpoint == null) {
      errors.add("rewardCheckpoint: must be set (PPO maximises a reward model's score)");
    }
    if (ppo == null) {
      errors.add("ppo: must be set");
    }
    if (train == null) {
      errors.add("train: must be set");
    } else if (train.objective() != ObjectiveKind.PPO) {
      errors.add("train.objective: must be ppo for this run, got " + train.objective().specName());
    } else if (ppo != null && train.batchSize() % (ppo.numMiniBatches() * train.microBatches()) != 0) {
      errors.add("train.batchSize: " + train.batchSize() + " prompts do not split into ppo.numMiniBatches ("
          + ppo.numMiniBatches() + ") × train.microBatches (" + train.microBatches() + ") micro-batches");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }
}
