package io.stagewise.sweep.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.sweep.plan.DataNodes;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The content-addressed artifact directories of a sweep: {@code <out>/stages/<kind>/<key>/}. A stage is
 * finished when its {@value #MARKER} exists; the marker is written last (to a temporary name, then renamed),
 * so a stage that died half-way is never taken for finished and simply runs again. The marker records the
 * stage's configuration, parents and outcome (counts, metrics, checkpoint), which is what children and the
 * results table read.
 */
public final class StageStore {
  public static final String MARKER = "_STAGE_COMPLETE.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;
  private final Configuration conf;

  /** The store under {@code outUri} (made absolute, so every artifact URI works from any JVM). */
  public StageStore(String outUri, Configuration conf) {
    Path out = new Path(outUri);
    try {
      this.root = out.getFileSystem(conf).makeQualified(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open output " + outUri + ": " + e.getMessage(), e);
    }
    this.conf = conf;
  }

  public Path root() {
    return root;
  }

  /** The stage's own directory. */
  public Path dir(StageNode node) {
    return new Path(new Path(new Path(root, "stages"), node.kind().dirName()), node.key());
  }

  /**
   * The URI of dataset {@code name} produced by {@code node}. Published datasets are used where they are, in
   * the version planning resolved them to, so every stage reads that one version even if the dataset is
   * republished while the DAG runs.
   */
  public String dataset(StageNode node, String name) {
    if (node.kind() == StageKind.PUBLISHED) {
      String role = name.replace('-', '_');
      JsonNode version = node.config().path(DataNodes.VERSIONS).path(role);
      return version.isTextual() ? version.asText() : node.config().get(role).asText();
    }
    return new Path(dir(node), name).toString();
  }

  public boolean isComplete(StageNode node) {
    try {
      Path marker = new Path(dir(node), MARKER);
      return marker.getFileSystem(conf).exists(marker);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + dir(node), e);
    }
  }

  /** The outcome a finished stage recorded. */
  public JsonNode outcome(StageNode node) {
    Path marker = new Path(dir(node), MARKER);
    try (InputStream in = marker.getFileSystem(conf).open(marker)) {
      return JSON.readTree(in).path("outcome");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read stage marker " + marker, e);
    }
  }

  /** The marker a finished stage of {@code kind} and {@code key} wrote (config, parents, outcome), if any. */
  public java.util.Optional<JsonNode> record(StageKind kind, String key) {
    Path marker = new Path(new Path(new Path(new Path(root, "stages"), kind.dirName()), key), MARKER);
    try (InputStream in = marker.getFileSystem(conf).open(marker)) {
      return java.util.Optional.of(JSON.readTree(in));
    } catch (java.io.FileNotFoundException e) {
      return java.util.Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read stage marker " + marker, e);
    }
  }

  /** Marks the stage finished with {@code outcome}; the last write of every stage. */
  public void complete(StageNode node, JsonNode outcome, double seconds) {
    ObjectNode marker = JSON.createObjectNode();
    marker.put("kind", node.kind().dirName()).put("key", node.key()).put("label", node.label())
        .put("finished_at", Instant.now().toString()).put("seconds", seconds);
    marker.set("config", node.config());
    if (!node.identity().equals(node.config())) {
      // The content it was keyed by, so a later rebuild can say which input's content changed.
      marker.set("identity", node.identity());
    }
    ObjectNode parents = marker.putObject("parents");
    node.parents().forEach((role, p) -> parents.put(role, p.kind().dirName() + "/" + p.key()));
    marker.set("outcome", outcome);
    Path dir = dir(node);
    Path temporary = new Path(dir, "." + MARKER + ".tmp");
    try {
      FileSystem fs = dir.getFileSystem(conf);
      fs.mkdirs(dir);
      try (OutputStream out = fs.create(temporary, true)) {
        out.write(JSON.writeValueAsString(marker).getBytes(StandardCharsets.UTF_8));
      }
      if (!fs.rename(temporary, new Path(dir, MARKER))) {
        throw new IOException("rename to " + MARKER + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot mark stage " + dir + " finished: " + e.getMessage(), e);
    }
  }
}
