package io.stagewise.trainer.model.precision;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The precision of a model's matrix products, the {@code precision} switch of a model spec. {@link #FP32}
 * multiplies in fp32. {@link #BF16} is autocast's recipe: the linear layers, the LM head and attention's
 * {@code QKᵀ} and {@code PV} multiply in bf16 ({@link Bf16Ops}; the fused kernel takes bf16 q, k and v);
 * master weights, gradients, optimizer state, softmax statistics and masks, norms and the loss stay fp32,
 * because every other operator of the forward pass sees only fp32 arrays. Checkpoints therefore hold fp32
 * weights whatever the precision.
 *
 * <p>The model calls {@link #linear}, {@link #matMul} and {@link #attention} and never asks which precision it
 * runs.
 */
public enum Precision {
  FP32 {
    @Override
    public NDArray linear(NDArray x, NDArray weight, NDArray bias) {
      return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    @Override
    public NDArray matMul(NDArray a, NDArray b) {
      return a.matMul(b);
    }
  },
  BF16 {
    @Override
    public NDArray linear(NDArray x, NDArray weight, NDArray bias) {
      return Bf16Ops.on(x.getDevice()).linear(x, weight, bias);
    }

    @Override
    public NDArray matMul(NDArray a, NDArray b) {
      return Bf16Ops.on(a.getDevice()).matMul(a, b);
    }
  };

  /** x Wᵀ + b over the last axis of x (the bias may be null), fp32 in and out. */
  public abstract NDArray linear(NDArray x, NDArray weight, NDArray bias);

  /** a · b over the last two axes, broadcast over the leading ones, fp32 in and out. */
  public abstract NDArray matMul(NDArray a, NDArray b);

  /**
   * softmax(q kᵀ + mask) v in libtorch's fused kernel ({@link ScaledDotProductAttention}), fp32 in and out: q,
   * k and v are (B, heads, T, d) with q already scaled, {@code mask} an additive fp32 mask of rank 2 or 4 or
   * null, and {@code causal} hides key j from query i when j &gt; i (queries and keys counted from 0).
   */
  public NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask, boolean causal) {
    return ScaledDotProductAttention.on(q.getDevice(), this).attend(q, k, v, mask, causal);
  }

  /**
   * Refuses, with one line, a precision the hardware would run slowly: bf16 on a CPU without AVX512_BF16 (see
   * {@link Bf16Hardware}). Called once where a run starts, before any step.
   */
  public void requireSupported(Device device, Bf16Hardware hardware) {
    if (this == BF16) {
      hardware.requireFor(device);
    }
  }

  /** The spec's name: {@code fp32} or {@code bf16}. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The precision a spec names; an unknown name is an error naming {@code field} and the allowed values. */
  public static Precision fromName(String field, String name) {
    for (Precision p : values()) {
      if (p.specName().equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    String allowed = Arrays.stream(values()).map(Precision::specName).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(field + ": unknown value '" + name + "', expected one of " + allowed);
  }
}
