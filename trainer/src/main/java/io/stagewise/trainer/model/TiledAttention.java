package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Exact attention computed block by block with an online softmax (FlashAttention's recurrence): for each
 * query block, key blocks are folded into a running row maximum m, normaliser l and output accumulator,
 * and key blocks wholly in the future are skipped. Only one query block's tiles, (block × T) scores per
 * head, are alive at a time, so inference memory is linear in the context length.
 *
 * <p>Under autograd the engine still saves each tile's probabilities for backward (DJL offers no custom
 * backward to recompute them), so training memory is that of the visible half of the score matrix.
 * The running maximum is detached: the result is mathematically independent of it, so the gradients are
 * exactly those of {@link MaterializedAttention}.
 */
final class TiledAttention implements AttentionKernel {

  private final int block;

  TiledAttention(int block) {
    this.block = block;
  }

  @Override
  public NDArray attend(NDArray q, NDArray k, NDArray v, ForwardPass pass) {
    int time = q.getShape().dimension() - 2;
    int queries = Math.toIntExact(q.getShape().get(time));
    NDList outputs = new NDList();
    for (int qs = 0; qs < queries; qs += block) {
      outputs.add(attendBlock(q, k, v, qs, Math.min(block, queries - qs), pass));
    }
    return outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, time);
  }

  private NDArray attendBlock(NDArray q, NDArray k, NDArray v, int qs, int qLen, ForwardPass pass) {
    // DJL frees an op's result only with its manager: give each query block its own, so the tiles of
    // one block are released before the next (the autograd graph keeps what backward needs).
    try (NDManager scope = pass.manager.newSubManager()) {
      scope.tempAttachAll(q, k, v);
      if (pass.keyPaddingBias != null) {
        scope.tempAttachAll(pass.keyPaddingBias);
      }
      if (pass.segmentBias != null) {
        scope.tempAttachAll(pass.segmentBias);
      }
      NDArray out = foldKeyBlocks(timeSlice(q, qs, qLen), k, v, qs, qLen, pass);
      out.attach(pass.manager);
      return out;
    }
  }

  private NDArray foldKeyBlocks(NDArray qBlock, NDArray k, NDArray v, int qs, int qLen, ForwardPass pass) {
    int visibleKeys = pass.pastLength + qs + qLen;
    int last = qBlock.getShape().dimension() - 1;
    NDArray max = null;
    NDArray norm = null;
    NDArray acc = null;
    for (int ks = 0; ks < visibleKeys; ks += block) {
      int kLen = Math.min(block, visibleKeys - ks);
      NDArray scores = pass.matMul(qBlock, timeSlice(k, ks, kLen).swapAxes(last - 1, last));
      NDArray causal = pass.causalBias(qs, qLen, ks, kLen);
      if (causal != null) {
        scores = scores.add(causal);
      }
      if (pass.keyPaddingBias != null) {
        scores = scores.add(pass.keyPaddingBias.get(new NDIndex("..., {}:{}", ks, ks + kLen)));
      }
      NDArray segments = pass.segmentBias(qs, qLen, ks, kLen);
      if (segments != null) {
        scores = scores.add(segments);
      }
      NDArray blockMax = scores.max(new int[] {last}, true).stopGradient();
      NDArray newMax = max == null ? blockMax : max.maximum(blockMax);
      NDArray p = scores.sub(newMax).exp();
      NDArray pv = pass.matMul(pass.dropout(p), timeSlice(v, ks, kLen));
      NDArray rowSum = p.sum(new int[] {last}, true);
      if (max == null) {
        norm = rowSum;
        acc = pv;
      } else {
        NDArray rescale = max.sub(newMax).exp();
        norm = norm.mul(rescale).add(rowSum);
        acc = acc.mul(rescale).add(pv);
      }
      max = newMax;
    }
    return acc.div(norm);
  }

  /** Rows [start, start + length) of the time axis (the second to last). */
  private static NDArray timeSlice(NDArray x, int start, int length) {
    return x.get(new NDIndex("..., {}:{}, :", start, start + length));
  }
}
