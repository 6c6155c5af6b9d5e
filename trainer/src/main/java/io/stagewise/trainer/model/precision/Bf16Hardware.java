package io.stagewise.trainer.model.precision;

import ai.djl.Device;
import io.stagewise.trainer.engine.CpuInfo;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a device multiplies bf16 at full speed. On a CPU that needs the {@code avx512_bf16} flag in
 * {@code /proc/cpuinfo}: without it oneDNN emulates bf16 products slower than fp32 ones, so a bf16 run would
 * only be slower and less exact. On a GPU it assumes compute capability 8.0 or more (Ampere onwards, where bf16
 * runs on tensor cores); DJL 0.33 does not report the capability, and no older GPU is a target of this
 * project.
 *
 * @param cpuFlagsSource the text of the CPU's flags ({@code /proc/cpuinfo} on Linux); injected in tests
 */
public record Bf16Hardware(Supplier<String> cpuFlagsSource) {

  static final String CPU_FLAG = "avx512_bf16";
  private static final Logger LOG = LoggerFactory.getLogger(Bf16Hardware.class);

  /** This machine's CPU flags, from {@code /proc/cpuinfo}. */
  public static Bf16Hardware local() {
    return new Bf16Hardware(() -> CpuInfo.local().map(CpuInfo::text)
        .orElseThrow(() -> new IllegalStateException("cannot read /proc/cpuinfo to check for " + CPU_FLAG)));
  }

  /** Throws an IllegalArgumentException, one line naming the missing CPU flag, unless bf16 runs on {@code device}. */
  void requireFor(Device device) {
    if (device.isGpu()) {
      return;
    }
    if (!new CpuInfo(cpuFlagsSource.get()).flags().contains(CPU_FLAG)) {
      throw new IllegalArgumentException("model.precision: bf16 needs a CPU with " + CPU_FLAG
          + " (this CPU's flags lack it, so bf16 products would run slower than fp32); use precision: fp32");
    }
    // Allowed, since it trains correctly, but on the one CPU measured libtorch 2.5.1's bf16 products (oneDNN)
    // ran at half the rate of MKL's fp32 AVX-512 ones (docs/architecture.md, "MKL on AMD CPUs: measured").
    LOG.warn("model.precision: bf16 on a CPU: with libtorch 2.5.1 it measured slower than fp32 (0.73x the tokens/s"
        + " in bench/trainer on an AMD CPU with AVX-512); fp32 is the faster choice on CPUs");
  }
}
