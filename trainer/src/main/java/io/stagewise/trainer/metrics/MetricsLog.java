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
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The run's metrics file: one JSON object per line, {@code "kind":"train"} for logged steps and
 * {@code "kind":"eval"} for evaluations, flushed after every line so it can be tailed while training.
 *
 * <p>Hadoop file systems cannot all append, so a resumed run rewrites the file: it keeps the records up to
 * the checkpoint's step (the ones after it are about to be recomputed) and continues from there.
 */
public final class MetricsLog implements AutoCloseable {

  public static final String KIND_TRAIN = "train";
  public static final String KIND_EVAL = "eval";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FSDataOutputStream out;

  private MetricsLog(Path file, FSDataOutputStream out) {
    this.file = file;
    this.out = out;
  }

  /** Starts a fresh metrics file, replacing any previous one. */
  public static MetricsLog create(Path file, Configuration conf) {
    return resume(file, conf, 0);
  }

  /** Opens {@code file} keeping its records with {@code step <= throughStep}. */
  public static MetricsLog resume(Path file, Configuration conf, long throughStep) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      List<String> kept = throughStep > 0 && fs.exists(file) ? recordsThrough(fs, file, throughStep) : List.of();
      FSDataOutputStream out = fs.create(file, true);
      for (String line : kept) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      out.hflush();
      return new MetricsLog(file, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open metrics file " + file, e);
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

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close metrics file " + file, e);
    }
  }

  private void write(ObjectNode line) {
    try {
      out.write((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
      out.hflush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics file " + file, e);
    }
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
