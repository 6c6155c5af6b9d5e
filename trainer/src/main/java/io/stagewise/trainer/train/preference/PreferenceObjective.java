package io.stagewise.trainer.train.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.train.Objective;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainingLoop;

/**
 * A training objective over preference pairs (reward modelling, DPO). Like {@link Objective} it returns the SUM
 * of its per-pair losses, so the step can normalise by the pair count of the whole (accumulated) batch.
 */
public interface PreferenceObjective {

  /** The spec name ({@code reward}, {@code dpo}). */
  ObjectiveKind kind();

  /** Tokens per packed row for a model of context {@code contextLength}. */
  int width(int contextLength);

  /**
   * Runs the trained model (and any frozen one) on {@code batch}; arrays are created in {@code manager}.
   *
   * @param training whether the trained model runs in training mode (dropout)
   */
  PairLoss forward(GptModel model, ParameterStore store, PreferenceBatch batch, NDManager manager,
      boolean training);

  /**
   * Tokens the trained model reads in one update on {@code batch}: its rows times the positions each row feeds
   * it (not the packed width, which holds one more target token for DPO). This is what the {@code tokens} of
   * metrics and checkpoints count, as {@link TrainingLoop} counts rows × sequence length.
   */
  long tokens(PreferenceBatch batch);

  /** FLOPs of one training update on {@code batch} (frozen forward passes included). */
  double trainingFlops(ModelConfig config, LoraConfig lora, PreferenceBatch batch);

  /**
   * What the objective computed for P pairs.
   *
   * @param lossSum float32 scalar, the sum of the P per-pair losses (in the graph)
   * @param auxLoss float32 scalar to add once per batch (the MoE load-balancing loss; zero for dense models)
   * @param chosenRewards (P) the implicit or explicit reward of each chosen response, detached
   * @param rejectedRewards (P) the same for each rejected response, detached
   */
  record PairLoss(NDArray lossSum, NDArray auxLoss, NDArray chosenRewards, NDArray rejectedRewards) {
  }
}
