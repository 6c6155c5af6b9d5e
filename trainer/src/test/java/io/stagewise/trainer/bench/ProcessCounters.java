package io.stagewise.trainer.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The process's CPU time (all threads: the engine's intra-op threads do the work) and its minor page faults
 * at one instant. CPU time says what a step costs whatever else the machine runs; page faults say how much of
 * it the kernel spends mapping memory in, which on a virtual machine costs microseconds a page.
 *
 * @param cpuNanos process CPU time, or -1 where the JVM does not report it
 * @param minorFaults minor page faults so far (field 10 of {@code /proc/self/stat}), or -1 off Linux
 */
record ProcessCounters(long cpuNanos, long minorFaults) {

  private static final Path STAT = Path.of("/proc/self/stat");

  static ProcessCounters now() {
    long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
    return new ProcessCounters(cpu, readMinorFaults());
  }

  /** Prints {@code <prefix>_cpu_ms_per_step} and {@code <prefix>_page_faults_per_step} since {@code start}. */
  void printPerStep(PrintStream out, String prefix, ProcessCounters start, long steps) {
    double cpuMs = cpuNanos < 0 ? Double.NaN : (cpuNanos - start.cpuNanos) / 1e6 / steps;
    double faults = minorFaults < 0 ? Double.NaN : (double) (minorFaults - start.minorFaults) / steps;
    out.printf(Locale.ROOT, "%s_cpu_ms_per_step=%.1f%n", prefix, cpuMs);
    out.printf(Locale.ROOT, "%s_page_faults_per_step=%.0f%n", prefix, faults);
  }

  private static long readMinorFaults() {
    try {
      String stat = Files.readString(STAT);
      // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[7]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
