package io.stagewise.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * When the MKL override applies, and that it works: on an AMD CPU with AVX-512, libtorch's MKL reports its
 * AVX-512 branch and its products equal a plain Java product.
 */
class MklAvx512OnAmdTest {

  private static final String AMD = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 avx512f avx512cd avx512bw "
      + "avx512dq avx512vl avx512_bf16\n";
  // mkl_cbwr_get_auto_branch (MKL's name inside libtorch: mkl_serv_...) is MKL_CBWR_AVX512 (12) or a later
  // AVX-512 branch when MKL takes its AVX-512 kernels; on an AMD CPU MKL left alone answers 2.
  private static final int MKL_CBWR_AVX512 = 12;

  private static Optional<String> skip(String os, String arch, String value, String cpuinfo) {
    return MklAvx512OnAmd.reasonToSkip(os, arch, value, Optional.ofNullable(cpuinfo).map(CpuInfo::new));
  }

  @Test
  void appliesOnAnAmdCpuWithTheFiveAvx512FlagsUnlessSwitchedOff() {
    assertEquals(Optional.empty(), skip("Linux", "amd64", null, AMD));
    assertEquals(Optional.empty(), skip("Linux", "amd64", " ON ", AMD));
    assertEquals(Optional.of("STAGEWISE_MKL_AVX512=off"), skip("Linux", "amd64", "off", AMD));
    assertEquals(Optional.of("STAGEWISE_MKL_AVX512 is neither on nor off"), skip("Linux", "amd64", "yes", AMD));
  }

  @Test
  void skipsOtherCpusAndSystemsNamingWhy() {
    assertEquals(Optional.of("not an AMD CPU (MKL already chooses for Intel CPUs)"),
        skip("Linux", "amd64", null, AMD.replace("AuthenticAMD", "GenuineIntel")));
    assertEquals(Optional.of("the CPU lacks avx512cd, avx512vl"),
        skip("Linux", "amd64", null, AMD.replace(" avx512cd", "").replace(" avx512vl", "")));
    assertEquals(Optional.of("not x86-64 Linux"), skip("Linux", "aarch64", null, AMD));
    assertEquals(Optional.of("not x86-64 Linux"), skip("Mac OS X", "x86_64", null, AMD));
    assertEquals(Optional.of("/proc/cpuinfo unreadable"), skip("Linux", "amd64", null, null));
  }

  @Test
  void onThisMachineMklTakesItsAvx512KernelsAndMultipliesCorrectly() {
    Optional<String> reason = MklAvx512OnAmd.reasonToSkip(System.getProperty("os.name"),
        System.getProperty("os.arch"), System.getenv(MklAvx512OnAmd.SWITCH), CpuInfo.local());
    assumeTrue(reason.isEmpty(), () -> "the override does not apply here: " + reason.orElse(""));
    int m = 67;
    int k = 131;
    int n = 45;
    float[] a = random(m * k, 1);
    float[] b = random(k * n, 2);
    try (NDManager manager = NDManager.newBaseManager()) { // loads the engine, and the override before it
      assertTrue(MklAvx512OnAmd.applied());
      float[] product = manager.create(a).reshape(m, k).matMul(manager.create(b).reshape(k, n)).toFloatArray();
      assertArrayEquals(javaProduct(a, b, m, k, n), product, 1e-4f);
      NativeLibrary libtorch = NativeLibrary.getInstance(LibUtils.getLibtorchPath() + "/libtorch_cpu.so",
          Map.of(Library.OPTION_OPEN_FLAGS, 0x1 | 0x4)); // RTLD_LAZY | RTLD_NOLOAD: the copy already loaded
      int branch = libtorch.getFunction("mkl_serv_cbwr_get_auto_branch").invokeInt(new Object[0]);
      assertTrue(branch >= MKL_CBWR_AVX512, "MKL's branch is " + branch + ", not an AVX-512 one");
    }
  }

  private static float[] random(int size, long seed) {
    Random random = new Random(seed);
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static float[] javaProduct(float[] a, float[] b, int m, int k, int n) {
    float[] c = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          sum += (double) a[i * k + p] * b[p * n + j];
        }
        c[i * n + j] = (float) sum;
      }
    }
    return c;
  }
}
