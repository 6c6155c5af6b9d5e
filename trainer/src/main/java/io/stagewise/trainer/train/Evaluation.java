package io.stagewise.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.model.GptModel;
import java.util.List;

/** Held-out loss: the objective's mean over every counted target of the evaluation batches, no dropout. */
public final class Evaluation {

  private static final NDIndex WITHOUT_LAST = new NDIndex(":, :-1");

  private Evaluation() {
  }

  /**
   * One evaluation.
   *
   * @param loss mean objective loss over every counted held-out target (NaN when none is counted)
   * @param targets the number of targets the mean is over
   */
  public record Result(double loss, long targets) {
  }

  public static Result run(GptModel model, Objective objective, List<TokenBatch> batches, NDManager manager) {
    ParameterStore store = new ParameterStore(manager, false);
    double sum = 0;
    long targets = 0;
    for (TokenBatch batch : batches) {
      try (NDScope scope = new NDScope(); NDManager local = manager.newSubManager()) {
        scope.suppressNotUsedWarning();
        NDArray tokens = batch.tokens(local);
        NDList outputs = model.forward(store, new NDList(tokens.get(WITHOUT_LAST)), false);
        sum += objective.targetLossSum(outputs.get(0), batch, local).getFloat();
        targets += objective.targets(batch);
      }
    }
    return new Result(targets == 0 ? Double.NaN : sum / targets, targets);
  }
}
