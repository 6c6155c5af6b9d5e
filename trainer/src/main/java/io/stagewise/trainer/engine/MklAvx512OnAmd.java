package io.stagewise.trainer.engine;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the MKL inside libtorch run its AVX-512 kernels on AMD CPUs that have AVX-512 (Zen 4 and later).
 *
 * <p>libtorch's CPU matrix products ({@code mm}, {@code addmm}, {@code bmm}: every linear layer and attention
 * product at fp32) go to MKL's sgemm, which picks its kernels by asking {@code mkl_serv_intel_cpu_true()}
 * whether the CPU is Intel's: on an AMD CPU it answers no and MKL keeps to its AVX2 kernels, about half the
 * rate its AVX-512 kernels reach on the same AMD core (docs/architecture.md, "MKL on AMD CPUs": 140-170 against
 * 290-390 GFLOP/s at the trainer's shapes on 2 cores). No environment variable changes that in the MKL libtorch
 * 2.5.1 carries ({@code MKL_DEBUG_CPU_TYPE} was removed, {@code MKL_ENABLE_INSTRUCTIONS} only narrows).
 *
 * <p>So, before libtorch is loaded, this loads a tiny library that defines both of MKL's "is it Intel"
 * functions as returning 1, with {@code RTLD_GLOBAL}: libtorch's calls to them go through its procedure
 * linkage table, and the dynamic loader resolves them in the global scope first, where this library now is.
 * MKL then takes the kernels the CPU's flags allow; the AVX-512 ones need AVX-512 F, CD, BW, DQ and VL, which
 * are checked here, so the library is loaded only on an AMD CPU with all five. Nothing else in the process
 * asks those functions. {@code STAGEWISE_MKL_AVX512=off} leaves MKL's own choice.
 *
 * <p>Results change in their last bits (another kernel sums in another order), identically in every JVM on
 * the same CPU, as determinism requires; the loading runs from {@link MklDispatchEngineProvider}, which DJL
 * instantiates before it loads any engine, so every JVM of a run (driver, executors, tests) agrees.
 */
public final class MklAvx512OnAmd {

  /** The environment variable that turns the override off ({@code off}); {@code on} is the default. */
  public static final String SWITCH = "STAGEWISE_MKL_AVX512";
  static final List<String> INTEL_CPU_FUNCTIONS = List.of("mkl_serv_intel_cpu_true", "mkl_serv_intel_cpu");
  static final List<String> AVX512_FLAGS = List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
  private static final String LIBRARY_NAME = "libstagewise-mkl-intel-cpu.so";
  // RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE: resolved at once, seen by libraries loaded later, never unloaded
  // (libtorch's bound calls would point into an unmapped library).
  private static final int OPEN_FLAGS = 0x2 | 0x100 | 0x1000;
  private static final Logger LOG = LoggerFactory.getLogger(MklAvx512OnAmd.class);

  private static NativeLibrary loaded;

  private MklAvx512OnAmd() {
  }

  /** Loads the override once per JVM when {@link #reasonToSkip} finds none; logs what it did. */
  public static synchronized void applyOnce() {
    if (loaded != null) {
      return;
    }
    Optional<String> skip = reasonToSkip(System.getProperty("os.name"), System.getProperty("os.arch"),
        System.getenv(SWITCH), CpuInfo.local());
    if (skip.isPresent()) {
      LOG.debug("MKL keeps its own kernel choice: {}", skip.get());
      return;
    }
    try {
      loaded = load();
      LOG.info("AMD CPU with AVX-512: libtorch's MKL runs its AVX-512 matrix kernels ({}=off to keep its AVX2 ones)",
          SWITCH);
    } catch (IOException | RuntimeException | LinkageError e) {
      // Never past this point: a throw here would fail DJL's engine discovery, and MKL's own choice still works.
      LOG.warn("could not load the MKL AVX-512 override, so MKL keeps its AVX2 kernels on this AMD CPU: {}",
          e.toString());
    }
  }

  /** Whether the override was loaded into this JVM. */
  public static synchronized boolean applied() {
    return loaded != null;
  }

  /**
   * Why the override does not apply on this machine, or empty when it does. An unknown switch value is
   * reported as the reason (logged at error level, never thrown: this runs inside DJL's engine discovery).
   */
  static Optional<String> reasonToSkip(String os, String arch, String switchValue, Optional<CpuInfo> cpu) {
    String value = switchValue == null ? "on" : switchValue.trim().toLowerCase(Locale.ROOT);
    if (value.equals("off")) {
      return Optional.of(SWITCH + "=off");
    }
    if (!value.equals("on")) {
      LOG.error("{}={}: expected on or off; MKL keeps its own kernel choice", SWITCH, switchValue);
      return Optional.of(SWITCH + " is neither on nor off");
    }
    if (!"linux".equalsIgnoreCase(os) || !("amd64".equals(arch) || "x86_64".equals(arch))) {
      return Optional.of("not x86-64 Linux");
    }
    if (cpu.isEmpty()) {
      return Optional.of("/proc/cpuinfo unreadable");
    }
    if (!cpu.get().field("vendor_id").equals("AuthenticAMD")) {
      return Optional.of("not an AMD CPU (MKL already chooses for Intel CPUs)");
    }
    List<String> flags = cpu.get().flags();
    List<String> missing = AVX512_FLAGS.stream().filter(flag -> !flags.contains(flag)).toList();
    return missing.isEmpty() ? Optional.empty() : Optional.of("the CPU lacks " + String.join(", ", missing));
  }

  /** Writes the library to a temporary file, loads it into the global scope and removes the file. */
  static NativeLibrary load() throws IOException {
    Path file = Files.createTempFile("stagewise-mkl-intel-cpu", ".so");
    try {
      Files.write(file, ConstantFunctionsElf.returningOne(LIBRARY_NAME, INTEL_CPU_FUNCTIONS));
      return NativeLibrary.getInstance(file.toString(), Map.of(Library.OPTION_OPEN_FLAGS, OPEN_FLAGS));
    } finally {
      Files.deleteIfExists(file); // the mapping outlives the file
    }
  }
}
