package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * libtorch's fused scaled-dot-product attention ({@link io.stagewise.trainer.model.precision.Precision#attention}):
 * on a CPU its flash-attention kernel, which never stores the (Tq, Tk) probabilities, skips key blocks wholly in
 * the future, and recomputes the scores in backward from a saved log-sum-exp. The function is
 * {@link MaterializedAttention}'s; the kernel is chosen by {@code attention: fused}.
 *
 * <p>What it hands the kernel so that libtorch takes the flash path (docs/architecture.md, "Fused attention"):
 * <ul>
 *   <li>4-D arrays with as many key/value heads as query heads: grouped queries (B, kvHeads, group, T, d) are
 *       folded into (B, heads, T, d) and their keys and values repeated over the group, since libtorch 2.5.1's
 *       CPU kernel has no grouped heads.
 *   <li>The kernel's own causal flag when keys and queries start together (no KV cache): its mask is aligned
 *       to the first query and key, ours to the last, so with cached keys the causal bias goes into the mask.
 *   <li>One additive fp32 mask of rank 2 or 4 for the rest: key padding, packed sequences, cached keys.
 * </ul>
 * Attention dropout (training with a positive rate) has no flash path in libtorch, and its math path would draw
 * from the engine's generator outside {@link DropoutStream}; such passes use {@link MaterializedAttention}.
 */
final class FusedAttention implements AttentionKernel {

  private final AttentionKernel withDropout = new MaterializedAttention();

  @Override
  public NDArray attend(NDArray q, NDArray k, NDArray v, ForwardPass pass) {
    if (pass.training && pass.dropout > 0f) {
      return withDropout.attend(q, k, v, pass);
    }
    Shape shape = q.getShape();
    if (shape.dimension() == 5) {
      long groups = shape.get(2);
      Shape keys = k.getShape();
      Shape repeated = new Shape(keys.get(0), keys.get(1), groups, keys.get(3), keys.get(4));
      NDArray out = attend4d(heads(q), heads(k.broadcast(repeated)), heads(v.broadcast(repeated)), pass);
      return out.reshape(shape);
    }
    return attend4d(q, k, v, pass);
  }

  private NDArray attend4d(NDArray q, NDArray k, NDArray v, ForwardPass pass) {
    int queries = Math.toIntExact(q.getShape().get(2));
    int keys = Math.toIntExact(k.getShape().get(2));
    boolean causal = pass.pastLength == 0;
    NDArray mask = causal ? null : pass.causalBias(0, queries, 0, keys);
    mask = plus(mask, heads(pass.keyPaddingBias));
    mask = plus(mask, heads(pass.segmentBias));
    return pass.precision.attention(q, k, v, mask, causal);
  }

  /** (B, kvHeads, group, …) as (B, kvHeads · group, …); an array of another rank, or null, as it is. */
  private static NDArray heads(NDArray x) {
    if (x == null || x.getShape().dimension() != 5) {
      return x;
    }
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1) * s.get(2), s.get(3), s.get(4));
  }

  private static NDArray plus(NDArray a, NDArray b) {
    return a == null ? b : b == null ? a : a.add(b);
  }
}
