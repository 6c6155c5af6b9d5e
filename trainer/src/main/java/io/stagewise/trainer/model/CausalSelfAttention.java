package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;

/**
 * Multi-head causal self-attention with {@code kvHeads} key/value heads: one projection yields
 * {@code heads} queries and {@code kvHeads} keys and values; query head h reads key/value head
 * h / (heads / kvHeads).
 *
 * <p>With as many key/value heads as query heads the kernel sees plain (B, heads, T, d) arrays; otherwise
 * queries are grouped as (B, kvHeads, group, T, d) against (B, kvHeads, 1, T, d) keys and values, which
 * broadcast over the group without being copied.
 */
final class CausalSelfAttention {

  private final int layer;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final Parameter qkvWeight;
  private final Parameter qkvBias;
  private final Parameter projWeight;
  private final Parameter projBias;
  private final AttentionKernel kernel;

  CausalSelfAttention(ModelConfig config, int layer, String name, WeightRegistry weights, float residualStd) {
    this.layer = layer;
    this.heads = config.heads();
    this.kvHeads = config.kvHeads();
    this.headDim = config.headDim();
    long projected = (long) (heads + 2 * kvHeads) * headDim;
    this.qkvWeight = weights.linearWeight(name + ".qkv", "attention.qkv", 0.02f, projected, config.width());
    this.qkvBias = weights.bias(name + ".qkv.bias", projected);
    this.projWeight = weights.linearWeight(name + ".proj", "attention.proj", residualStd, config.width(),
        config.width());
    this.projBias = weights.bias(name + ".proj.bias", config.width());
    this.kernel = AttentionKernel.of(config);
  }

  /** The rank of the attention scores: 4 for plain multi-head attention, 5 for grouped queries. */
  static int scoreRank(ModelConfig config) {
    return config.kvHeads() == config.heads() ? 4 : 5;
  }

  /** x (B, T, width) → (B, T, width). */
  NDArray forward(NDArray x, ForwardPass pass, KvCache cache) {
    long batch = x.getShape().get(0);
    long steps = x.getShape().get(1);
    NDArray qkv = pass.linear(x, qkvWeight, qkvBias);
    NDList parts = qkv.split(new long[] {(long) heads * headDim, (long) (heads + kvHeads) * headDim}, 2);
    NDArray q = parts.get(0).reshape(batch, steps, heads, headDim);
    NDArray k = parts.get(1).reshape(batch, steps, kvHeads, headDim);
    NDArray v = parts.get(2).reshape(batch, steps, kvHeads, headDim);
    if (pass.rotary != null) {
      q = pass.rotary.rotate(q);
      k = pass.rotary.rotate(k);
    }
    k = k.transpose(0, 2, 1, 3);
    v = v.transpose(0, 2, 1, 3);
    if (cache != null) {
      NDArray[] whole = cache.append(layer, k, v, pass.manager);
      k = whole[0];
      v = whole[1];
    }
    NDArray scale = pass.scalar((float) (1.0 / Math.sqrt(headDim)));
    NDArray out;
    if (kvHeads == heads) {
      // Plain multi-head attention: (B, heads, T, d) throughout, no group axis to broadcast over.
      out = kernel.attend(q.transpose(0, 2, 1, 3).mul(scale), k, v, pass).transpose(0, 2, 1, 3);
    } else {
      int group = heads / kvHeads;
      q = q.reshape(batch, steps, kvHeads, group, headDim).transpose(0, 2, 3, 1, 4).mul(scale);
      out = kernel.attend(q, k.expandDims(2), v.expandDims(2), pass).transpose(0, 3, 1, 2, 4);
    }
    out = out.reshape(batch, steps, (long) heads * headDim);
    return pass.linear(out, projWeight, projBias);
  }
}
