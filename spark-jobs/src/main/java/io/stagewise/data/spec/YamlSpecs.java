package io.stagewise.data.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Reads YAML specs from any Hadoop file system URI (or a local path) into a JSON tree. */
public final class YamlSpecs {
  // A key given twice would otherwise silently keep the last value.
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private YamlSpecs() {}

  /** The spec at {@code uri}; an unreadable or malformed file fails naming it (and the line, for YAML). */
  public static JsonNode read(Configuration conf, String uri) {
    Path path = located(uri);
    try (InputStream in = path.getFileSystem(conf).open(path)) {
      JsonNode tree = YAML.readTree(in);
      if (tree == null || !tree.isObject()) {
        throw new IllegalArgumentException(uri + ": a spec must be a YAML mapping");
      }
      return tree;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // SnakeYAML's messages span lines (a snippet and a caret); one line reads better on a console.
      String why = String.join("; ", e.getOriginalMessage().lines().map(String::strip).filter(l -> !l.isEmpty()
          && !l.equals("^")).toList());
      throw new IllegalArgumentException(uri + ": " + why
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("spec not found: " + uri + DriverReach.hint(path), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read spec " + uri + ": " + e.getMessage(), e);
    }
  }

  /**
   * A spec named without a scheme is first a file beside the process, and only then a path on the default file
   * system: a cluster-mode driver finds the specs shipped with {@code --files} in its working directory, while
   * its default file system (fs.defaultFS) is the cluster's, where a relative name means something else.
   */
  private static Path located(String uri) {
    Path path = new Path(uri);
    java.nio.file.Path local = java.nio.file.Path.of(uri);
    return path.toUri().getScheme() == null && java.nio.file.Files.isRegularFile(local)
        ? new Path(local.toAbsolutePath().toUri())
        : path;
  }

  /** Parses YAML text (specs embedded in the jar, tests). */
  public static JsonNode parse(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed YAML: " + e.getMessage(), e);
    }
  }
}
