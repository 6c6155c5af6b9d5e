package io.stagewise.trainer.model.precision;

import static io.stagewise.trainer.model.precision.ScriptArchive.toBf16;
import static io.stagewise.trainer.model.precision.ScriptArchive.toFp32;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bf16 products of autocast's recipe as scripted modules ({@link ScriptArchive}): each casts its fp32
 * inputs to bf16, multiplies in bf16 (oneDNN's AVX512_BF16 kernels on a CPU, tensor cores on a GPU) and
 * returns fp32. Backward runs through the same casts, so the gradients reaching the fp32 weights and
 * activations are fp32. One set of modules per device, loaded on first use and kept for the JVM's life; the
 * modules hold no tensors, so any thread may run them on arrays of any manager.
 */
final class Bf16Ops {

  private static final Map<Device, Bf16Ops> BY_DEVICE = new ConcurrentHashMap<>();

  /** Owns the loaded modules; never closed, as the modules serve every later run of this JVM. */
  private final NDManager owner;
  private final ScriptedModule linear;
  private final ScriptedModule linearNoBias;
  private final ScriptedModule matMul;

  private Bf16Ops(Device device) {
    this.owner = NDManager.newBaseManager(device);
    this.linear = new ScriptedModule(owner, "Bf16Linear", "x: Tensor, w: Tensor, b: Tensor",
        "    return " + toFp32("torch.linear(" + toBf16("x") + ", " + toBf16("w") + ", " + toBf16("b") + ")"));
    this.linearNoBias = new ScriptedModule(owner, "Bf16LinearNoBias", "x: Tensor, w: Tensor",
        "    return " + toFp32("torch.linear(" + toBf16("x") + ", " + toBf16("w") + ")"));
    this.matMul = new ScriptedModule(owner, "Bf16MatMul", "a: Tensor, b: Tensor",
        "    return " + toFp32("torch.matmul(" + toBf16("a") + ", " + toBf16("b") + ")"));
  }

  /** The modules for {@code device}, loaded on first use. */
  static Bf16Ops on(Device device) {
    return BY_DEVICE.computeIfAbsent(device, Bf16Ops::new);
  }

  /** x Wᵀ + b in bf16, returned as fp32; the bias may be null. */
  NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return bias == null ? linearNoBias.call(x, weight) : linear.call(x, weight, bias);
  }

  /** a · b (batched over leading axes) in bf16, returned as fp32. */
  NDArray matMul(NDArray a, NDArray b) {
    return matMul.call(a, b);
  }
}
