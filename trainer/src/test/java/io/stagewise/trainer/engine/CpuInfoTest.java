package io.stagewise.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Fields are read from the first processor, by their exact name. */
class CpuInfoTest {

  private static final String TWO_PROCESSORS = "processor\t: 0\nvendor_id\t: AuthenticAMD\n"
      + "vmx flags\t: ept vpid\nflags\t\t: fpu avx2 avx512f\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n"
      + "flags\t\t: fpu avx2 avx512f\n";

  @Test
  void readsTheFirstProcessorsFieldsByExactName() {
    CpuInfo cpu = new CpuInfo(TWO_PROCESSORS);
    assertEquals("AuthenticAMD", cpu.field("vendor_id"));
    assertEquals(List.of("fpu", "avx2", "avx512f"), cpu.flags());
    assertEquals("", cpu.field("model name"));
  }
}
