package io.stagewise.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.data.TokenBatch;

/**
 * A next-token training objective over token batches. It returns the SUM of its per-target losses and says on
 * the host how many targets that sum is over, so the training step can normalise by the token count of the
 * whole (accumulated, possibly data-parallel) batch: the loss is then independent of how the batch is split.
 */
public interface Objective {

  /** The spec name ({@code lm}, {@code sft}). */
  String name();

  /** Targets of {@code batch} this objective counts (known before any forward pass). */
  long targets(TokenBatch batch);

  /**
   * Sum over counted targets of {@code −log p(target)}, a float32 scalar. {@code logits} are the model's
   * (rows, width − 1, vocab) outputs for the batch's tokens without their last column; target t is token
   * t + 1. Arrays are created in {@code manager}.
   */
  NDArray targetLossSum(NDArray logits, TokenBatch batch, NDManager manager);

  /** The mean loss over counted targets (evaluation and tests); NaN when nothing is counted. */
  default double meanLoss(NDArray logits, TokenBatch batch, NDManager manager) {
    long targets = targets(batch);
    return targets == 0 ? Double.NaN : targetLossSum(logits, batch, manager).getFloat() / (double) targets;
  }
}
