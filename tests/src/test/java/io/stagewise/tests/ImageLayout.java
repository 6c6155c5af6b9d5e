package io.stagewise.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The file system of the Stagewise image, laid out in a folder by following {@code deploy/docker/Dockerfile}
 * itself: its COPY lines copy from the repository, its ENV lines set variables (image paths moved under the
 * folder) and its RUN lines run their script from the laid-out files. Any other build step is refused, so the
 * Dockerfile cannot do something this layout does not.
 *
 * <p>Two parts are not the Dockerfile's own. The base image's Spark ({@code /opt/spark/jars}, {@code SPARK_HOME})
 * is stood in for by the provided Spark and Hadoop jars of this build (the local class path less the cluster
 * one). And {@code spark-jobs/target/lib/}, which only the {@code image} profile fills, is taken, when absent,
 * from {@code classpath-cluster.txt}: the same runtime-scope jar set that profile copies.
 */
final class ImageLayout {
  private final Path root;
  private final Map<String, String> env = new LinkedHashMap<>();

  private ImageLayout(Path root) {
    this.root = root;
  }

  /** Lays out the image the repository's Dockerfile builds under {@code root}; the jar must be packaged. */
  static ImageLayout build(Path repo, Path root) throws IOException, InterruptedException {
    ImageLayout layout = new ImageLayout(root);
    BuildClassPaths build = new BuildClassPaths(repo.resolve("spark-jobs/target"));
    layout.layOutBaseImage(build);
    for (String line : instructions(repo.resolve("deploy/docker/Dockerfile"))) {
      String[] words = line.trim().split("\\s+");
      String[] args = Arrays.copyOfRange(words, 1, words.length);
      switch (words[0]) {
        case "FROM", "USER" -> { }
        case "COPY" -> layout.copy(repo, build, args);
        case "ENV" -> layout.setEnv(args);
        case "RUN" -> layout.run(args);
        default -> throw new IllegalStateException("ImageLayout cannot follow the Dockerfile's " + line);
      }
    }
    return layout;
  }

  /** The folder standing for the image's root directory. */
  Path root() {
    return root;
  }

  /** Where an absolute path of the image is in the layout. */
  Path resolve(String imagePath) {
    if (!imagePath.startsWith("/")) {
      throw new IllegalArgumentException("not an absolute image path: " + imagePath);
    }
    return root.resolve(imagePath.substring(1));
  }

  /** The environment the image sets (its ENV lines and the base image's SPARK_HOME), paths in the layout. */
  Map<String, String> env() {
    return Map.copyOf(env);
  }

  private void layOutBaseImage(BuildClassPaths build) throws IOException {
    BuildClassPaths.link(build.provided(), resolve("/opt/spark/jars"));
    env.put("SPARK_HOME", resolve("/opt/spark").toString());
  }

  private void copy(Path repo, BuildClassPaths build, String[] args) throws IOException {
    if (args.length < 2 || args[0].startsWith("--")) {
      throw new IllegalStateException("ImageLayout follows plain `COPY src... dest` only: " + String.join(" ", args));
    }
    String dest = args[args.length - 1];
    for (String source : Arrays.copyOf(args, args.length - 1)) {
      Path from = repo.resolve(source);
      if (Files.isDirectory(from)) {
        copyTree(from, resolve(dest));
      } else if (source.equals("spark-jobs/target/lib/")) {
        BuildClassPaths.link(build.runtime(), resolve(dest));
      } else {
        Path to = dest.endsWith("/") ? resolve(dest).resolve(from.getFileName()) : resolve(dest);
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  private void setEnv(String[] args) {
    for (String pair : args) {
      String[] kv = pair.split("=", 2);
      env.put(kv[0], kv[1].startsWith("/") ? resolve(kv[1]).toString() : kv[1]);
    }
  }

  private void run(String[] args) throws IOException, InterruptedException {
    if (!Files.isExecutable(resolve(args[0]))) {
      throw new IllegalStateException("ImageLayout runs only RUN lines calling a script of the layout: "
          + String.join(" ", args));
    }
    List<String> command = new ArrayList<>();
    for (String arg : args) {
      command.add(arg.startsWith("/") ? resolve(arg).toString() : arg);
    }
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().putAll(env);
    int code = builder.start().waitFor();
    if (code != 0) {
      throw new IllegalStateException("RUN " + String.join(" ", args) + " exited with " + code);
    }
  }

  /** The Dockerfile's instructions, continuation lines joined, comments and blank lines dropped. */
  private static List<String> instructions(Path dockerfile) throws IOException {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(dockerfile)) {
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continues) {
        out.add(current.toString().trim());
        current.setLength(0);
      }
    }
    return out;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
