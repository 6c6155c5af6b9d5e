package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;

/** GELU MLP: width → hidden → width. Also one expert of {@link MixtureOfExperts}. */
final class DenseMlp implements FeedForward {

  private final Parameter fcWeight;
  private final Parameter fcBias;
  private final Parameter projWeight;
  private final Parameter projBias;

  DenseMlp(String name, int width, int hidden, WeightRegistry weights, float residualStd) {
    this.fcWeight = weights.linearWeight(name + ".fc", "mlp.fc", 0.02f, hidden, width);
    this.fcBias = weights.bias(name + ".fc.bias", hidden);
    this.projWeight = weights.linearWeight(name + ".proj", "mlp.proj", residualStd, width, hidden);
    this.projBias = weights.bias(name + ".proj.bias", width);
  }

  @Override
  public NDArray forward(NDArray x, ForwardPass pass) {
    NDArray hidden = Activation.gelu(pass.linear(x, fcWeight, fcBias));
    return pass.linear(hidden, projWeight, projBias);
  }
}
