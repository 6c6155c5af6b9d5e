package io.stagewise.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The jar lists the spark-jobs build writes next to the application jar: the runtime jars a cluster run ships
 * ({@code classpath-cluster.txt}) and, by difference with the local run's class path, the provided ones (Spark,
 * Hadoop and their dependencies) that a Spark installation's {@code jars/} folder holds.
 */
record BuildClassPaths(Path sparkJobsTarget) {

  BuildClassPaths {
    if (!Files.isRegularFile(sparkJobsTarget.resolve("stagewise.jar"))) {
      throw new IllegalStateException("package spark-jobs first: no " + sparkJobsTarget.resolve("stagewise.jar"));
    }
  }

  Path applicationJar() {
    return sparkJobsTarget.resolve("stagewise.jar");
  }

  List<Path> runtime() throws IOException {
    return paths(Files.readString(sparkJobsTarget.resolve("classpath-cluster.txt")).trim().split(","));
  }

  List<Path> provided() throws IOException {
    Set<Path> all = new LinkedHashSet<>(paths(
        Files.readString(sparkJobsTarget.resolve("classpath-local.txt")).trim().split(":")));
    all.removeAll(runtime());
    return List.copyOf(all);
  }

  /**
   * The local class path without the jars this project builds: Spark, Hadoop and every third-party library.
   * A Spark installation's jars/ holds Spark's own dependencies, which overlap ours (slf4j, Jackson, commons-*);
   * which overlap exactly is not known here, so this stands in for it with all of them.
   */
  List<Path> thirdParty() throws IOException {
    Path repo = sparkJobsTarget.toAbsolutePath().getParent().getParent();
    return paths(Files.readString(sparkJobsTarget.resolve("classpath-local.txt")).trim().split(":")).stream()
        .filter(p -> !p.startsWith(repo)).toList();
  }

  /** Fills {@code folder} with links to {@code jars}, as an installation's lib/ or jars/ holds them. */
  static void link(List<Path> jars, Path folder) throws IOException {
    Files.createDirectories(folder);
    for (Path jar : jars) {
      Files.createSymbolicLink(folder.resolve(jar.getFileName()), jar);
    }
  }

  private static List<Path> paths(String[] entries) {
    return java.util.Arrays.stream(entries).map(e -> Path.of(e).toAbsolutePath()).toList();
  }
}
