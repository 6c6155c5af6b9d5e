package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;

/** The position-wise half of a transformer block: (B, T, width) → (B, T, width). */
interface FeedForward {

  NDArray forward(NDArray x, ForwardPass pass);

  static FeedForward of(ModelConfig config, String name, WeightRegistry weights, float residualStd) {
    return switch (config.mlp()) {
      case DENSE -> new DenseMlp(name + ".mlp", config.width(), config.mlpHidden(), weights, residualStd);
      case SWIGLU -> new GatedMlp(name + ".mlp", config.width(), config.mlpHidden(), weights, residualStd);
      case MOE -> new MixtureOfExperts(config, name + ".moe", weights, residualStd);
    };
  }
}
