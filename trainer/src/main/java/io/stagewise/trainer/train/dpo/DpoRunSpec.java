package io.stagewise.trainer.train.dpo;

import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.preference.PreferenceRun;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One DPO run on preference token shards ({@code prompt_ids}, {@code chosen_ids}, {@code rejected_ids}).
 *
 * @param trainData training preference shards (a Parquet dataset directory with {@code _manifest.json})
 * @param evalData held-out preference shards, or null
 * @param output run directory on any Hadoop file system: {@code metrics.jsonl} and {@code checkpoints/}
 * @param sftCheckpoint the SFT model: the policy starts from it and it stays the frozen reference (a checkpoint
 *     directory, or a checkpoints directory standing for its latest); it also fixes the architecture
 * @param train the optimisation settings; {@code objective} must be {@code dpo}
 * @param dpo beta and the loss
 * @param resume continue from the latest checkpoint under {@code output}; without it an output that already
 *     holds checkpoints is an error
 */
public record DpoRunSpec(URI trainData, URI evalData, URI output, URI sftCheckpoint, TrainConfig train,
    DpoConfig dpo, boolean resume) {

  public DpoRunSpec {
    List<String> errors = new ArrayList<>();
    if (trainData == null) {
      errors.add("trainData: must be set");
    }
    if (output == null) {
      errors.add("output: must be set");
    }
    if (sftCheckpoint == null) {
      errors.add("sftCheckpoint: must be set (DPO starts from an SFT model and keeps it as the reference)");
    }
    if (dpo == null) {
      errors.add("dpo: must be set");
    }
    PreferenceRun.requireTrain(errors, train, ObjectiveKind.DPO);
    if (evalData != null && train != null && train.evalBatches() == 0) {
      errors.add("train.evalBatches: must be >= 1 when evalData is set");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }
}
