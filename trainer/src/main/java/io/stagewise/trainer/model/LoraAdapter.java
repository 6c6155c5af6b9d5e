package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.Collection;
import java.util.Map;

/**
 * One low-rank adapter on one linear layer of weight W (out × in): it adds {@code scale · B A dropout(x)} to the
 * layer's output, A (r × in) drawn at random and B (out × r) zero, so a fresh adapter leaves the layer's output
 * bit for bit what it was (adding an exact zero). The layer's own weight and bias stay frozen.
 */
final class LoraAdapter {

  private final Parameter down;
  private final Parameter up;
  private final float scale;
  private final float dropout;

  private LoraAdapter(Parameter down, Parameter up, float scale, float dropout) {
    this.down = down;
    this.up = up;
    this.scale = scale;
    this.dropout = dropout;
  }

  /**
   * Declares the adapter of the layer {@code layerName} ({@code <layerName>.lora_a}, {@code .lora_b}). A is drawn
   * with the variance of PEFT's default (Kaiming-uniform with a = √5: 1 / (3 · in)), from its own seeded stream
   * like every parameter, so adding adapters changes no other parameter's initial value.
   */
  static LoraAdapter declare(String layerName, long out, long in, LoraConfig config, WeightRegistry weights) {
    Parameter a = weights.matrix(layerName + ".lora_a", (float) Math.sqrt(1.0 / (3.0 * in)), config.r(), in);
    Parameter b = weights.zeroMatrix(layerName + ".lora_b", out, config.r());
    return new LoraAdapter(a, b, config.scale(), (float) config.dropout());
  }

  /** What the adapter adds to the layer's output for input x. */
  NDArray delta(NDArray x, ForwardPass pass) {
    NDArray input = pass.training && dropout > 0f ? pass.dropoutStream.apply(x, dropout) : x;
    NDArray low = input.getNDArrayInternal().linear(input, pass.value(down), null).singletonOrThrow();
    NDArray high = low.getNDArrayInternal().linear(low, pass.value(up), null).singletonOrThrow();
    return high.mul(pass.scalar(scale));
  }

  /**
   * Fills {@code targets} (a model without adapters) from {@code sources} by name, each weight that has an adapter in
   * {@code adaptersByWeight} with the adapter folded in.
   */
  static void fold(Map<String, Parameter> sources, Map<String, LoraAdapter> adaptersByWeight,
      Collection<Parameter> targets) {
    for (Parameter target : targets) {
      NDArray source = sources.get(target.getName()).getArray();
      LoraAdapter adapter = adaptersByWeight.get(target.getName());
      if (adapter == null) {
        source.copyTo(target.getArray());
      } else {
        try (NDArray folded = adapter.mergedInto(source)) {
          folded.copyTo(target.getArray());
        }
      }
    }
  }

  /** {@code weight + scale · B A}: the layer's weight with this adapter folded in, as a new array. */
  NDArray mergedInto(NDArray weight) {
    try (NDArray product = up.getArray().matMul(down.getArray())) {
      try (NDArray scaled = product.mul(scale)) {
        return weight.add(scaled);
      }
    }
  }
}
