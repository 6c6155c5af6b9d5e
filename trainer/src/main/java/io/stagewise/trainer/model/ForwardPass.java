package io.stagewise.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one forward call shares between layers: the manager that owns its temporaries, the
 * positions of the new tokens, the attention masks and the MoE losses collected on the way.
 *
 * <p>Every constant the forward multiplies or adds is created here as an array owned by {@link #manager}:
 * DJL's {@code NDArray.mul(Number)} wraps the number in a temporary tensor that is freed before backward
 * reads it, which silently corrupts gradients.
 */
final class ForwardPass {

  /** Added to the score of a key a query must not see; finite so fully masked pad rows stay finite. */
  static final float MASKED = -1e30f;

  final ParameterStore parameters;
  final NDManager manager;
  final Device device;
  final boolean training;
  final float dropout;
  final int newTokens;
  /** Keys already in the KV cache before this call. */
  final int pastLength;
  /** Position of each new token, one row per batch row or a single row shared by all. */
  final long[][] positions;
  /**
   * Bias hiding padding keys, (B, 1, …, 1, past + T) with the rank of the attention scores, or null when no key
   * is padding.
   */
  final NDArray keyPaddingBias;
  /**
   * Bias hiding keys of other packed sequences, (B, 1, …, 1, T, T) with the rank of the attention scores, or
   * null when rows are not packed.
   */
  NDArray segmentBias;
  /** Per new token, row-major (B·T): 1 if real, 0 if padding; null when the pass knows of no padding. */
  float[] realTokens;
  /** Rotation tables for this pass's positions; null unless the model uses RoPE. */
  RotaryEmbedding rotary;
  /** The LoRA adapters this pass applies, by the weight of their layer: empty without LoRA or with it disabled. */
  Map<Parameter, LoraAdapter> adapters = Map.of();
  /** Where this pass's dropout masks come from: the model's own stream (a pass built alone has a fresh one). */
  DropoutStream dropoutStream = new DropoutStream();
  private final List<NDArray> auxLosses = new ArrayList<>();
  /** Causal masks by block geometry: every layer reuses the same few. */
  private final Map<List<Integer>, NDArray> causalBiases = new HashMap<>();

  ForwardPass(ParameterStore parameters, NDManager manager, boolean training, float dropout, int newTokens, int pastLength, long[][] positions, NDArray keyPaddingBias) {
    this.parameters = parameters;
    this.manager = manager;
    this.device = manager.getDevice();
    this.training = training;
    this.dropout = dropout;
    this.newTokens = newTokens;
    this.pastLength = pastLength;
    this.positions = positions;
    this.keyPaddingBias = keyPaddingBias;
  }

  /** The current value of a parameter for this pass. */
  NDArray value(Parameter parameter) {
    return parameter == null ? null : parameters.getValue(parameter, device, training);
  }

  /** x Wᵀ + b over the last axis of x, plus W's LoRA adapter's output when the pass applies one; b may be null. */
  NDArray linear(NDArray x, Parameter weight, Parameter bias) {
    NDArray y = x.getNDArrayInternal().linear(x, value(weight), value(bias)).singletonOrThrow();
    LoraAdapter adapter = adapters.get(weight);
    return adapter == null ? y : y.add(adapter.delta(x, this));
  }

  /** A float32 scalar owned by this pass (see the class comment for why never a Java number). */
  NDArray scalar(float value) {
    return manager.create(value);
  }

  /** Dropout when training with a positive rate; identity otherwise. */
  NDArray dropout(NDArray x) {
    if (!training || dropout == 0f) {
      return x;
    }
    return dropoutStream.apply(x, dropout);
  }

  /**
   * Causal bias for queries [qStart, qStart + qLen) of this call against keys [kStart, kStart + kLen)
   * of the cache-plus-new sequence, shape (qLen, kLen); null when no key in the block is in the future.
   */
  NDArray causalBias(int qStart, int qLen, int kStart, int kLen) {
    if (kStart + kLen - 1 <= pastLength + qStart) {
      return null;
    }
    return causalBiases.computeIfAbsent(List.of(qStart, qLen, kStart, kLen), key -> {
        float[] bias = new float[qLen * kLen];
      for (int i = 0; i < qLen; i++) {
        int visibleUpTo = pastLength + qStart + i;
        for (int j = Math.max(0, visibleUpTo - kStart + 1); j < kLen; j++) {
          bias[i * kLen + j] = MASKED;
        }
      }
      return manager.create(bias, new Shape(qLen, kLen));
    });
  }

  /** The packed-sequence bias for queries [qStart, qStart + qLen) and keys [kStart, kStart + kLen); null if unpacked. */
  NDArray segmentBias(int qStart, int qLen, int kStart, int kLen) {
    if (segmentBias == null) {
      return null;
    }
    return segmentBias.get(new NDIndex("..., {}:{}, {}:{}", qStart, qStart + qLen, kStart, kStart + kLen));
  }

  void addAuxLoss(NDArray loss) {
    auxLosses.add(loss);
  }

  /** Sum of the auxiliary losses the layers reported, a zero scalar when none did. */
  NDArray auxLoss() {
    NDArray total = scalar(0f);
    for (NDArray loss : auxLosses) {
      total = total.add(loss);
    }
    return total;
  }
}
