package io.stagewise.trainer.train.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.train.Objective;

/**
 * Supervised fine-tuning: next-token cross entropy on response tokens only. The target at position t + 1
 * counts iff {@code loss_mask[t + 1]}; prompt tokens are context, never targets.
 */
public final class SftObjective implements Objective {

  @Override
  public String name() {
    return "sft";
  }

  @Override
  public long targets(TokenBatch batch) {
    return batch.responseTargets();
  }

  @Override
  public NDArray targetLossSum(NDArray logits, TokenBatch batch, NDManager manager) {
    return NextTokenLoss.maskedSum(logits, batch.tokens(manager), batch.lossMask(manager));
  }
}
