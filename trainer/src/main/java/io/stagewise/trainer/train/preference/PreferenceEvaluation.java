package io.stagewise.trainer.train.preference;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.model.GptModel;
import java.util.List;

/** Held-out preference metrics: mean pair loss and TRL's reward means and pairwise accuracy, no dropout. */
public final class PreferenceEvaluation {

  private PreferenceEvaluation() {
  }

  public static PairMetrics run(GptModel model, PreferenceObjective objective, List<PreferenceBatch> batches,
      NDManager manager) {
    ParameterStore store = new ParameterStore(manager, false);
    PairMetrics metrics = new PairMetrics();
    for (PreferenceBatch batch : batches) {
      try (NDScope scope = new NDScope(); NDManager local = manager.newSubManager()) {
        scope.suppressNotUsedWarning();
        PreferenceObjective.PairLoss out = objective.forward(model, store, batch, local, false);
        metrics.add(out.lossSum().getFloat(), out.chosenRewards().toFloatArray(),
            out.rejectedRewards().toFloatArray());
      }
    }
    return metrics;
  }
}
