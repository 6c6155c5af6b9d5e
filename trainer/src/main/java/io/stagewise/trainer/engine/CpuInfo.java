package io.stagewise.trainer.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The text of Linux's {@code /proc/cpuinfo}, read for its first processor's fields (every processor of a
 * machine reports the same vendor and flags).
 *
 * @param text the file's text; injected in tests
 */
public record CpuInfo(String text) {

  /** This machine's {@code /proc/cpuinfo}, or empty where it cannot be read (not Linux). */
  public static Optional<CpuInfo> local() {
    try {
      return Optional.of(new CpuInfo(Files.readString(Path.of("/proc/cpuinfo"))));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The first value of the field {@code name} (as {@code vendor_id}), or "" when there is none. */
  public String field(String name) {
    return text.lines().filter(line -> line.indexOf(':') > 0)
        .filter(line -> line.substring(0, line.indexOf(':')).trim().equals(name))
        .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("");
  }

  /** The CPU's flags ({@code avx512f}, ...). */
  public List<String> flags() {
    return Arrays.asList(field("flags").split("\\s+"));
  }
}
