package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Block-sparse causal attention ({@link BlockSparsity}): each query sees the keys of its local window
 * (its own block, causally masked, and the blocks just before it) plus the earlier key blocks that score
 * highest for it, the score being the query's dot product with the block's mean key — native sparse
 * attention's compressed keys used for its selection, without its compressed and sliding branches or
 * their gates. Blocks sit at absolute key positions and every query selects from complete blocks before
 * its window only, so selection depends on nothing later than the query: the kernel stays causal and
 * decoding with the KV cache selects exactly what the full forward selects.
 *
 * <p>Selection is discrete and takes no gradient (as in NSA's top-k); gradients flow through the attended
 * keys and values. The selected set is computed on the host and applied as an additive mask on the
 * materialised scores, because DJL 0.33 has no block-sparse kernel: the function is the block-sparse one
 * (and {@link io.stagewise.trainer.flops.FlopCounter} counts only its blocks), the wall-clock time is that
 * of standard attention. When no query has more candidate blocks than it may select, no mask is built and
 * the result is bit-identical to {@link MaterializedAttention}. With left padding the blocks are cut at
 * padded positions, so a padded row is not identical to its unpadded self.
 */
final class SparseAttention implements AttentionKernel {

  private final BlockSparsity sparsity;

  SparseAttention(BlockSparsity sparsity) {
    this.sparsity = sparsity;
  }

  @Override
  public NDArray attend(NDArray q, NDArray k, NDArray v, ForwardPass pass) {
    int last = q.getShape().dimension() - 1;
    int queries = Math.toIntExact(q.getShape().get(last - 1));
    NDArray scores = MaterializedAttention.maskedScores(q, k, pass);
    if (!sparsity.takesAll(sparsity.blockOf(pass.pastLength + queries - 1))) {
      scores = scores.add(unselectedBias(q, k, pass));
    }
    return pass.matMul(pass.dropout(scores.softmax(last)), v);
  }

  /** {@link ForwardPass#MASKED} on every key of a candidate block its query did not select, 0 elsewhere. */
  private NDArray unselectedBias(NDArray q, NDArray k, ForwardPass pass) {
    int last = q.getShape().dimension() - 1;
    int queries = Math.toIntExact(q.getShape().get(last - 1));
    int keys = Math.toIntExact(k.getShape().get(last - 1));
    int blocks = sparsity.candidates(sparsity.blockOf(pass.pastLength + queries - 1));
    float[] blockScores = blockScores(q, k, blocks).toFloatArray();
    int rows = blockScores.length / (queries * blocks);
    float[] bias = new float[rows * queries * keys];
    int[] order = new int[blocks];
    for (int row = 0; row < rows; row++) {
      for (int i = 0; i < queries; i++) {
        int candidates = sparsity.candidates(sparsity.blockOf(pass.pastLength + i));
        if (candidates <= sparsity.selectedBlocks()) {
          continue;
        }
        int scoreAt = (row * queries + i) * blocks;
        int biasAt = (row * queries + i) * keys;
        rankBlocks(blockScores, scoreAt, candidates, order);
        for (int rank = sparsity.selectedBlocks(); rank < candidates; rank++) {
          int from = order[rank] * sparsity.blockSize();
          Arrays.fill(bias, biasAt + from, biasAt + from + sparsity.blockSize(), ForwardPass.MASKED);
        }
      }
    }
    long[] dims = q.getShape().getShape().clone();
    dims[last] = keys;
    return pass.manager.create(bias, new Shape(dims));
  }

  /**
   * Each query's score for the first {@code blocks} key blocks (all complete): q · mean key of the block,
   * shaped like the attention scores with {@code blocks} columns. Detached: selection takes no gradient.
   */
  private NDArray blockScores(NDArray q, NDArray k, int blocks) {
    int last = q.getShape().dimension() - 1;
    long[] dims = k.getShape().getShape();
    long[] blocked = new long[dims.length + 1];
    System.arraycopy(dims, 0, blocked, 0, last - 1);
    blocked[last - 1] = blocks;
    blocked[last] = sparsity.blockSize();
    blocked[last + 1] = dims[last];
    NDArray complete = k.get(new NDIndex("..., :{}, :", (long) blocks * sparsity.blockSize()));
    NDArray meanKeys = complete.reshape(new Shape(blocked)).mean(new int[] {last}).stopGradient();
    // fp32 at every precision: these scores only choose blocks (no gradient), and bf16 rounding would turn
    // near ties into different choices between an fp32 and a bf16 run.
    return q.stopGradient().matMul(meanKeys.swapAxes(last - 1, last));
  }

  /**
   * Orders the first {@code candidates} blocks by descending score into {@code order}; ties go to the
   * earlier block, so the selection is deterministic.
   */
  private static void rankBlocks(float[] scores, int at, int candidates, int[] order) {
    Integer[] boxed = new Integer[candidates];
    for (int j = 0; j < candidates; j++) {
      boxed[j] = j;
    }
    Arrays.sort(boxed, (a, b) -> Float.compare(scores[at + b], scores[at + a]));
    for (int j = 0; j < candidates; j++) {
      order[j] = boxed[j];
    }
  }
}
