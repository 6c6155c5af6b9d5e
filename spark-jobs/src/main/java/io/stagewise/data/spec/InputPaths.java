package io.stagewise.data.spec;

import io.stagewise.data.SpecCheck;
import io.stagewise.trainer.data.version.DatasetResolver;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The input paths a command or spec names, each under the field (or option) that names it, checked to exist
 * before any Spark job starts. Otherwise a missing input surfaces only when the first job that reads it runs:
 * after earlier stages have run and published, and as Spark's error rather than one naming the field.
 */
public final class InputPaths {
  private final Map<String, String> byField = new LinkedHashMap<>();

  /** Adds the path {@code field} names; a null or blank one is skipped (the field's own check reports it). */
  public InputPaths add(String field, String path) {
    if (path != null && !path.isBlank()) {
      byField.put(field, path);
    }
    return this;
  }

  /** Adds a list of paths, as {@code field[0]}, {@code field[1]}, ... */
  public InputPaths addAll(String field, List<String> paths) {
    for (int i = 0; paths != null && i < paths.size(); i++) {
      add(field + "[" + i + "]", paths.get(i));
    }
    return this;
  }

  /** The paths, by field, in the order they were added. */
  public Map<String, String> byField() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(byField));
  }

  /** Records, in {@code check}, every path that does not exist (or cannot be looked up), under its field. */
  public void check(Configuration conf, SpecCheck check) {
    byField.forEach((field, uri) -> {
      String problem = problem(conf, uri);
      check.require(problem == null, field, problem);
    });
  }

  /**
   * Throws one error listing every path that does not exist, each under its field.
   *
   * @param specName what names the paths, e.g. {@code dataset build spec conf/x.yaml}
   */
  public void requireExist(Configuration conf, String specName) {
    SpecCheck check = new SpecCheck(specName);
    check(conf, check);
    check.validate();
  }

  /** Why {@code uri} is not an input that exists, or null when it is. */
  private static String problem(Configuration conf, String uri) {
    try {
      Path path = new Path(uri);
      return path.getFileSystem(conf).exists(path) || isPublishedDataset(conf, uri) ? null
          : "no such file or directory: " + uri;
    } catch (IOException | IllegalArgumentException e) {
      return "cannot look up " + uri + ": " + e.getMessage();
    }
  }

  /** A member of a published set has no directory of its own: it lives in the set's version directory. */
  private static boolean isPublishedDataset(Configuration conf, String uri) {
    try {
      new DatasetResolver(conf).resolve(uri);
      return true;
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      return false;
    }
  }
}
