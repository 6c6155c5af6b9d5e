package io.stagewise.trainer.model.precision;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libtorch's own {@code aten::scaled_dot_product_attention} as scripted modules ({@link ScriptArchive}): DJL 0.33
 * exposes no such operator, but a module calling it loads and trains like any other. On a CPU, libtorch 2.5.1
 * runs it with its flash-attention kernel (online softmax over query and key blocks, the (Tq, Tk) probabilities
 * never stored, recomputed in backward from the saved log-sum-exp) whenever the inputs are 4-D with equal
 * head counts and a unit last-dimension stride, there is no dropout and any mask is 2-D or 4-D and needs no
 * gradient; anything else goes to its unfused "math" path. The caller ({@code FusedAttention}) keeps to those
 * conditions.
 *
 * <p>Four modules per device and precision, one per combination of a causal flag and an additive mask (a
 * module's arguments are tensors only). At bf16 each casts q, k and v to bf16 inside and returns fp32, as
 * {@link Bf16Ops} does; the kernel keeps its softmax statistics and accumulators in fp32 either way. The mask
 * stays fp32.
 */
final class ScaledDotProductAttention {

  private static final Map<List<Object>, ScaledDotProductAttention> LOADED = new ConcurrentHashMap<>();

  /** Owns the loaded modules; never closed, as the modules serve every later run of this JVM. */
  private final NDManager owner;
  /** Indexed by {@code (causal ? 2 : 0) + (masked ? 1 : 0)}. */
  private final ScriptedModule[] variants = new ScriptedModule[4];

  private ScaledDotProductAttention(Device device, Precision precision) {
    this.owner = NDManager.newBaseManager(device);
    for (int causal = 0; causal < 2; causal++) {
      for (int masked = 0; masked < 2; masked++) {
        variants[causal * 2 + masked] = load(precision, causal == 1, masked == 1);
      }
    }
  }

  /** The modules for {@code device} at {@code precision}, loaded on first use. */
  static ScaledDotProductAttention on(Device device, Precision precision) {
    return LOADED.computeIfAbsent(List.of(device, precision),
        key -> new ScaledDotProductAttention(device, precision));
  }

  /**
   * softmax(q kᵀ + mask) v for q already scaled (the kernel's scale is 1); {@code mask} may be null;
   * {@code causal} hides key j from query i when j &gt; i, counted from the first query and the first key.
   */
  NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, boolean causal) {
    ScriptedModule module = variants[(causal ? 2 : 0) + (mask == null ? 0 : 1)];
    return mask == null ? module.call(q, k, v) : module.call(q, k, v, mask);
  }

  private ScriptedModule load(Precision precision, boolean causal, boolean masked) {
    String name = "ScaledDotProductAttention" + precision.name() + (causal ? "Causal" : "") + (masked ? "Masked" : "");
    String attention = "torch.scaled_dot_product_attention(" + cast("q", precision) + ", " + cast("k", precision)
        + ", " + cast("v", precision) + ", " + (masked ? "mask" : "None") + ", 0., " + (causal ? "True" : "False")
        + ", scale=1.)";
    String result = precision == Precision.FP32 ? attention : ScriptArchive.toFp32(attention);
    return new ScriptedModule(owner, name, "q: Tensor, k: Tensor, v: Tensor" + (masked ? ", mask: Tensor" : ""),
        "    return " + result);
  }

  private static String cast(String name, Precision precision) {
    return precision == Precision.FP32 ? name : ScriptArchive.toBf16(name);
  }
}
