package io.stagewise.trainer.train.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.preference.PreferenceObjective;

/**
 * Reward modelling with the Bradley–Terry loss {@code −log σ(r_chosen − r_rejected)}: the model has a
 * {@link Head#SCALAR} head and a sequence's reward is its value at the last real token of prompt + response
 * (the only position that has seen the whole response).
 */
public final class RewardObjective implements PreferenceObjective {

  @Override
  public ObjectiveKind kind() {
    return ObjectiveKind.REWARD;
  }

  /** The whole sequence is scored, so rows hold exactly the model's context. */
  @Override
  public int width(int contextLength) {
    return contextLength;
  }

  @Override
  public PairLoss forward(GptModel model, ParameterStore store, PreferenceBatch batch, NDManager manager,
      boolean training) {
    if (model.config().head() != Head.SCALAR) {
      throw new IllegalArgumentException("a reward model needs head=scalar, got head="
          + model.config().head().specName());
    }
    NDList outputs = model.forward(store, new NDList(batch.tokens(manager)), training);
    NDArray rewards = atLastToken(outputs.get(0), batch.lastTokenIndex(manager));
    NDArray chosen = rewards.get(new NDIndex(":{}", batch.pairs()));
    NDArray rejected = rewards.get(new NDIndex("{}:", batch.pairs()));
    return new PairLoss(bradleyTerrySum(chosen, rejected), outputs.get(1), chosen.stopGradient(),
        rejected.stopGradient());
  }

  @Override
  public long tokens(PreferenceBatch batch) {
    return 2L * batch.pairs() * batch.width();
  }

  @Override
  public double trainingFlops(ModelConfig config, LoraConfig lora, PreferenceBatch batch) {
    return FlopCounter.trainingFlops(config, lora, 2L * batch.pairs(), batch.width());
  }

  /** {@code Σ −log σ(chosen − rejected)}, computed stably as softplus of the negated margin. */
  static NDArray bradleyTerrySum(NDArray chosen, NDArray rejected) {
    return Activation.softPlus(rejected.sub(chosen)).sum();
  }

  /** Per-row values (rows, T) read at {@code lastIndex} (rows, int64): one reward per row. */
  public static NDArray atLastToken(NDArray values, NDArray lastIndex) {
    return values.gather(lastIndex.expandDims(1), 1).squeeze(1);
  }
}
