package io.stagewise.trainer.train.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.train.Objective;

/** Language modelling: next-token cross entropy at every position whose target is a real (non-pad) token. */
public final class LmObjective implements Objective {

  @Override
  public String name() {
    return "lm";
  }

  @Override
  public long targets(TokenBatch batch) {
    return batch.presentTargets();
  }

  @Override
  public NDArray targetLossSum(NDArray logits, TokenBatch batch, NDManager manager) {
    return NextTokenLoss.maskedSum(logits, batch.tokens(manager), batch.present(manager));
  }
}
