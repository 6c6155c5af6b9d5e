package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * softmax(q kᵀ + masks) v over the last two axes (time, head dimension), whatever the leading ones. For
 * multi-head attention queries, keys and values are (B, heads, T, d); for grouped heads queries are
 * (B, kvHeads, group, Tq, d) and keys and values (B, kvHeads, 1, Tk, d), broadcast over the group, so
 * multi-query and grouped-query attention never copy keys or values. Queries are already scaled by 1/√d.
 * The last Tq keys belong to the queries; the earlier Tk − Tq come from the KV cache.
 */
interface AttentionKernel {

  NDArray attend(NDArray q, NDArray k, NDArray v, ForwardPass pass);

  /** The kernel for a configuration. */
  static AttentionKernel of(ModelConfig config) {
    return switch (config.attention()) {
      case STANDARD -> new MaterializedAttention();
      case CHUNKED -> new TiledAttention(config.attentionChunk());
      case SPARSE -> new SparseAttention(config.sparsity());
      case FUSED -> new FusedAttention();
    };
  }
}
