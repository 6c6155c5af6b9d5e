package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;

/** The textbook kernel: the full (Tq, Tk) score matrix with an additive causal mask. */
final class MaterializedAttention implements AttentionKernel {

  @Override
  public NDArray attend(NDArray q, NDArray k, NDArray v, ForwardPass pass) {
    int last = q.getShape().dimension() - 1;
    return pass.matMul(pass.dropout(maskedScores(q, k, pass).softmax(last)), v);
  }

  /** The full score matrix q·kᵀ with the causal, key-padding and packed-sequence biases added (kernels that mask further). */
  static NDArray maskedScores(NDArray q, NDArray k, ForwardPass pass) {
    int last = q.getShape().dimension() - 1;
    int queries = Math.toIntExact(q.getShape().get(last - 1));
    int keys = Math.toIntExact(k.getShape().get(last - 1));
    NDArray scores = pass.matMul(q, k.swapAxes(last - 1, last));
    NDArray causal = pass.causalBias(0, queries, 0, keys);
    if (causal != null) {
      scores = scores.add(causal);
    }
    if (pass.keyPaddingBias != null) {
      scores = scores.add(pass.keyPaddingBias);
    }
    if (pass.segmentBias != null) {
      scores = scores.add(pass.segmentBias);
    }
    return scores;
  }
}
