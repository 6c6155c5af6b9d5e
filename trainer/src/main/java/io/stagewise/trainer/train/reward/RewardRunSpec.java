package io.stagewise.trainer.train.reward;

import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.preference.PreferenceRun;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One reward-model run on preference token shards ({@code prompt_ids}, {@code chosen_ids},
 * {@code rejected_ids}).
 *
 * @param trainData training preference shards (a Parquet dataset directory with {@code _manifest.json})
 * @param evalData held-out preference shards for loss and pairwise accuracy, or null
 * @param output run directory on any Hadoop file system: {@code metrics.jsonl} and {@code checkpoints/}
 * @param model the architecture of a reward model trained from scratch (its head is made scalar); null when
 *     {@code initCheckpoint} is set
 * @param initCheckpoint an LM checkpoint (typically the SFT model) whose architecture and backbone the reward
 *     model takes, with a fresh scalar head; null when {@code model} is set
 * @param train the optimisation settings; {@code objective} must be {@code reward}
 * @param resume continue from the latest checkpoint under {@code output}; without it an output that already
 *     holds checkpoints is an error
 */
public record RewardRunSpec(URI trainData, URI evalData, URI output, ModelSpec model, URI initCheckpoint,
    TrainConfig train, boolean resume) {

  public RewardRunSpec {
    List<String> errors = new ArrayList<>();
    if (trainData == null) {
      errors.add("trainData: must be set");
    }
    if (output == null) {
      errors.add("output: must be set");
    }
    if ((model == null) == (initCheckpoint == null)) {
      errors.add("model: set exactly one of model (train from scratch) and initCheckpoint (start from an LM"
          + " checkpoint's backbone)");
    }
    PreferenceRun.requireTrain(errors, train, ObjectiveKind.REWARD);
    if (train != null && train.lora() != null && initCheckpoint == null) {
      errors.add("train.lora: adapters train beside a frozen base model; set initCheckpoint (the SFT model)");
    }
    if (evalData != null && train != null && train.evalBatches() == 0) {
      errors.add("train.evalBatches: must be >= 1 when evalData is set");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }
}
