package io.stagewise.trainer.train.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/** Masked next-token cross entropy, the shared arithmetic of {@link LmObjective} and {@link SftObjective}. */
final class NextTokenLoss {

  private static final NDIndex AFTER_FIRST = new NDIndex(":, 1:");

  private NextTokenLoss() {
  }

  /**
   * {@code −Σ mask[:, 1:] · log softmax(logits)[target]} with targets {@code tokens[:, 1:]}: masks and
   * tokens are (rows, width), logits (rows, width − 1, vocab).
   */
  static NDArray maskedSum(NDArray logits, NDArray tokens, NDArray mask) {
    NDArray targets = tokens.get(AFTER_FIRST).toType(DataType.INT64, false).expandDims(-1);
    NDArray logProbabilities = logits.logSoftmax(-1).gather(targets, -1).squeeze(-1);
    return logProbabilities.mul(mask.get(AFTER_FIRST)).sum().neg();
  }
}
