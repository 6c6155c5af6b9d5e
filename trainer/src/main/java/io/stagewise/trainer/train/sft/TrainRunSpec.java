package io.stagewise.trainer.train.sft;

import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.TrainConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One training run: where the token shards are, where outputs go, the model and the training configuration.
 *
 * @param trainData training token shards (a Parquet dataset directory with {@code _manifest.json})
 * @param evalData held-out token shards, or null for no evaluation
 * @param output run directory on any Hadoop file system: {@code metrics.jsonl} and {@code checkpoints/}
 * @param model the model, or null when {@code init} is set: the run then takes the architecture at {@code init}
 * @param train the training configuration
 * @param resume continue from the latest checkpoint under {@code output} if there is one; without it an output
 *     that already holds checkpoints is an error, so a finished run is never overwritten by mistake
 * @param init where the first parameters come from instead of the seeded initialisation, or null: a Stagewise
 *     checkpoint, or {@code hf:PATH} for a Hugging Face directory; it must hold the run's architecture
 *     ({@link io.stagewise.trainer.train.InitialWeights}); ignored when the run resumes from its own checkpoint,
 *     unless {@code train.lora} is set: then it is the frozen base under the adapters, loaded on every start
 */
public record TrainRunSpec(URI trainData, URI evalData, URI output, ModelSpec model, TrainConfig train,
    boolean resume, URI init) {


  /** The same run, continuing whatever checkpoints its output holds (a retried attempt's), with the same init. */
  public TrainRunSpec resumed() {
    return new TrainRunSpec(trainData, evalData, output, model, train, true, init);
  }

  public TrainRunSpec {
    List<String> errors = new ArrayList<>();
    if (trainData == null) {
      errors.add("trainData: must be set");
    }
    if (output == null) {
      errors.add("output: must be set");
    }
    if (model == null && init == null) {
      errors.add("model: must be set, or init whose architecture the run takes");
    }
    if (train == null) {
      errors.add("train: must be set");
    }
    if (train != null && !train.objective().onTokenSequences()) {
      errors.add("train.objective: " + train.objective().specName()
          + " does not train on token sequences; use RewardRun, DpoRun or PpoRun");
    }
    if (train != null && train.packs() && model != null && model.attention() != null
        && ModelConfig.Attention.fromName(model.attention()) == ModelConfig.Attention.SPARSE) {
      errors.add("train.packing: model.attention=sparse selects key blocks that would straddle packed rows; "
          + "use packing: false or another attention");
    }
    if (train != null && train.lora() != null) {
      if (init == null) {
        errors.add("train.lora: adapters train beside a frozen base model; set init (a checkpoint or hf:DIR)");
      }
      if (model != null) {
        try {
          train.lora().adaptedLayers(model.resolve(2));
        } catch (IllegalArgumentException e) {
          errors.add("train." + e.getMessage());
        }
      }
    }
    if (evalData != null && train != null && train.evalBatches() == 0) {
      errors.add("train.evalBatches: must be >= 1 when evalData is set");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }
}
