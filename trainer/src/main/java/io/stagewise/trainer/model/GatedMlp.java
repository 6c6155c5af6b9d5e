package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;

/**
 * SwiGLU MLP (Shazeer 2020, as Llama): {@code down(silu(gate(x)) ⊙ up(x))}, width → hidden → width with three
 * matrices instead of two. Biases like every other Stagewise layer (Llama's {@code mlp_bias} expresses them).
 */
final class GatedMlp implements FeedForward {

  private final Parameter gateWeight;
  private final Parameter gateBias;
  private final Parameter upWeight;
  private final Parameter upBias;
  private final Parameter downWeight;
  private final Parameter downBias;

  GatedMlp(String name, int width, int hidden, WeightRegistry weights, float residualStd) {
    this.gateWeight = weights.linearWeight(name + ".gate", "mlp.gate", 0.02f, hidden, width);
    this.gateBias = weights.bias(name + ".gate.bias", hidden);
    this.upWeight = weights.linearWeight(name + ".up", "mlp.up", 0.02f, hidden, width);
    this.upBias = weights.bias(name + ".up.bias", hidden);
    this.downWeight = weights.linearWeight(name + ".down", "mlp.down", residualStd, width, hidden);
    this.downBias = weights.bias(name + ".down.bias", width);
  }

  @Override
  public NDArray forward(NDArray x, ForwardPass pass) {
    NDArray gate = pass.linear(x, gateWeight, gateBias);
    // silu(g) = g·σ(g), written out: DJL's swish multiplies by a Java number, a temporary freed before backward.
    NDArray activated = gate.mul(Activation.sigmoid(gate));
    return pass.linear(activated.mul(pass.linear(x, upWeight, upBias)), downWeight, downBias);
  }
}
