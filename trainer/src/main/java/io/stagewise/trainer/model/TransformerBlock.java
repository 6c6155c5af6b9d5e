package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;

/** Pre-norm residual block: x + attention(norm(x)), then x + mlp(norm(x)), dropout on both branches. */
final class TransformerBlock {

  private final Normalization attentionNorm;
  private final CausalSelfAttention attention;
  private final Normalization mlpNorm;
  private final FeedForward mlp;

  TransformerBlock(ModelConfig config, int layer, WeightRegistry weights) {
    String name = "blocks." + layer;
    // GPT-2: residual projections start smaller so the residual stream's variance does not grow with depth.
    float residualStd = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
    this.attentionNorm = new Normalization(config.norm(), name + ".norm1", config.width(), weights);
    this.attention = new CausalSelfAttention(config, layer, name + ".attention", weights, residualStd);
    this.mlpNorm = new Normalization(config.norm(), name + ".norm2", config.width(), weights);
    this.mlp = FeedForward.of(config, name, weights, residualStd);
  }

  NDArray forward(NDArray x, ForwardPass pass, KvCache cache) {
    x = x.add(pass.dropout(attention.forward(attentionNorm.apply(x, pass), pass, cache)));
    return x.add(pass.dropout(mlp.forward(mlpNorm.apply(x, pass), pass)));
  }
}
