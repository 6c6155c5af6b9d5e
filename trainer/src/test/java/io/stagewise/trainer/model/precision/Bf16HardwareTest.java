package io.stagewise.trainer.model.precision;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/** bf16 is refused, in one line, on a CPU whose flags lack avx512_bf16; fp32 and GPUs are never refused. */
class Bf16HardwareTest {

  private static final String WITHOUT = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512bw avx512_vnni\n";
  private static final String WITH = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n";

  @Test
  void refusesBf16OnACpuWithoutTheFlag() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Precision.BF16.requireSupported(Device.cpu(), new Bf16Hardware(() -> WITHOUT)));
    assertEquals("model.precision: bf16 needs a CPU with avx512_bf16 (this CPU's flags lack it, so bf16 products "
        + "would run slower than fp32); use precision: fp32", e.getMessage());
  }

  @Test
  void acceptsBf16WithTheFlagOrOnAGpu() {
    assertDoesNotThrow(() -> Precision.BF16.requireSupported(Device.cpu(), new Bf16Hardware(() -> WITH)));
    assertDoesNotThrow(() -> Precision.BF16.requireSupported(Device.gpu(), new Bf16Hardware(() -> WITHOUT)));
  }

  @Test
  void neverRefusesFp32() {
    assertDoesNotThrow(() -> Precision.FP32.requireSupported(Device.cpu(), new Bf16Hardware(() -> WITHOUT)));
  }

  @Test
  void aFlagNamedOnlyAsPartOfAnotherIsNotTheFlag() {
    assertThrows(IllegalArgumentException.class, () -> Precision.BF16.requireSupported(Device.cpu(),
        new Bf16Hardware(() -> "flags\t\t: avx512_bf16x\n")));
  }
}
