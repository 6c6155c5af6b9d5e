package io.stagewise.trainer.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The run's metrics file: one JSON object per line, {@code "kind":"train"} for logged steps and
 * {@code "kind":"eval"} for evaluations.
 *
 * <p>The file is never written in place. Lines are kept in memory and {@link #commit()} replaces the whole file
 * with a temporary sibling renamed over it; the run commits when it opens the log, before every checkpoint and
 * at the end. So at every moment the file holds at least every record up to the latest checkpoint, whatever the
 * file system: Hadoop file systems cannot all append, and on those that buffer a stream until it is closed
 * (checksummed local files, object stores) rewriting the file in place would leave it truncated by a crash. A
 * resumed run keeps the records up to the checkpoint's step (the ones after it are about to be recomputed).
 *
 * <p>When the file system cannot rename over an existing file (HDFS, S3A), the old file is deleted first; a crash
 * between the two leaves only the complete temporary file, which the next {@link #resume} takes back.
 */
public final class MetricsLog implements AutoCloseable {

  public static final String KIND_TRAIN = "train";
  public static final String KIND_EVAL = "eval";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Path temp;
  private final Configuration conf;
  private final List<String> lines;

  private MetricsLog(Path file, Configuration conf, List<String> lines) {
    this.file = file;
    this.temp = temporary(file);
    this.conf = conf;
    this.lines = lines;
  }

  /** Starts a fresh metrics file, replacing any previous one. */
  public static MetricsLog create(Path file, Configuration conf) {
    return resume(file, conf, 0);
  }

  /** Opens {@code file} keeping its records with {@code step <= throughStep}, and commits them. */
  public static MetricsLog resume(Path file, Configuration conf, long throughStep) {
    List<String> kept;
    try {
      FileSystem fs = file.getFileSystem(conf);
      Path source = fs.exists(file) ? file : temporary(file);
      kept = throughStep > 0 && fs.exists(source) ? recordsThrough(fs, source, throughStep) : new ArrayList<>();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open metrics file " + file, e);
    }
    MetricsLog log = new MetricsLog(file, conf, kept);
    log.commit();
    return log;
  }

  /** Replaces the file with every line so far: written to a temporary sibling, then renamed over it. */
  public void commit() {
    try {
      FileSystem fs = file.getFileSystem(conf);
      try (FSDataOutputStream out = fs.create(temp, true)) {
        for (String line : lines) {
          out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      if (renamedOver(fs)) {
        return;
      }
      // This file system does not rename over a file. Until the rename below, the complete temporary file
      // stands in for the deleted one (see resume).
      boolean cleared = !fs.exists(file) || fs.delete(file, false);
      if (!cleared || !fs.rename(temp, file)) {
        throw new IOException("cannot rename " + temp + " to " + file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics file " + file, e);
    }
  }

  /** Renames the temporary file over the file; false when the file system refuses to replace a file. */
  private boolean renamedOver(FileSystem fs) throws IOException {
    try {
      return fs.rename(temp, file);
    } catch (FileAlreadyExistsException e) {
      return false; // S3A says so by throwing where HDFS returns false
    }
  }

  public void train(TrainRecord r) {
    train(r, Map.of());
  }

  /** A train line with further named values (e.g. TRL's {@code rewards/*}) after the standard fields. */
  public void train(TrainRecord r, Map<String, Double> extra) {
    ObjectNode line = common(KIND_TRAIN, r.step(), r.tokens(), r.flops(), r.loss());
    line.put("lr", r.lr());
    line.put("grad_norm", r.gradNorm());
    line.put("tokens_per_s", r.tokensPerSecond());
    extra.forEach(line::put);
    write(line);
  }

  public void eval(EvalRecord r) {
    eval(r, Map.of());
  }

  /** An eval line with further named values after the standard fields. */
  public void eval(EvalRecord r, Map<String, Double> extra) {
    ObjectNode line = common(KIND_EVAL, r.step(), r.tokens(), r.flops(), r.loss());
    line.put("targets", r.targets());
    extra.forEach(line::put);
    write(line);
  }

  /** The fields every line starts with, in the order readers expect them. */
  private static ObjectNode common(String kind, long step, long tokens, double flops, double loss) {
    ObjectNode line = JSON.createObjectNode();
    line.put("kind", kind);
    line.put("step", step);
    line.put("tokens", tokens);
    line.put("flops", flops);
    line.put("loss", loss);
    return line;
  }

  /** Parses a metrics file into its JSON records, in order. */
  public static List<JsonNode> read(Path file, Configuration conf) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      List<JsonNode> records = new ArrayList<>();
      for (String line : lines(fs, file)) {
        records.add(JSON.readTree(line));
      }
      return records;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read metrics file " + file, e);
    }
  }

  /** Commits the lines written since the last commit. */
  @Override
  public void close() {
    commit();
  }

  private void write(ObjectNode line) {
    try {
      lines.add(JSON.writeValueAsString(line));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a metrics line for " + file, e);
    }
  }

  /** The hidden sibling a commit writes before renaming it over {@code file}. */
  private static Path temporary(Path file) {
    return new Path(file.getParent(), "." + file.getName() + ".tmp");
  }

  private static List<String> recordsThrough(FileSystem fs, Path file, long step) throws IOException {
    List<String> kept = new ArrayList<>();
    for (String line : lines(fs, file)) {
      if (JSON.readTree(line).path("step").asLong(Long.MAX_VALUE) <= step) {
        kept.add(line);
      }
    }
    return kept;
  }

  private static List<String> lines(FileSystem fs, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    }
    return lines;
  }
}
