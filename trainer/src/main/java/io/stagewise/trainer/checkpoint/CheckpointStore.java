package io.stagewise.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.TrainableParameter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints under one directory of any Hadoop file system: {@code step-000000120-w000000002/} (the step, then
 * the writer generation that wrote it) holding {@code params.bin} (parameters by name), {@code optimizer.bin}
 * (AdamW moments), {@code state.json} and a {@code _COMMITTED} marker written last.
 *
 * <p>Readers only count a directory holding the marker and every file, so a crash at any point leaves the
 * previous checkpoint the latest; no rename is involved, which keeps a save atomic on object stores, where a
 * rename is a copy. Each writer writes only into directories named by its own generation, so no two writers
 * ever touch the same files, and a committed checkpoint is never rewritten.
 *
 * <p>A store opened {@link #forWriting} claims a {@link WriterFence} generation. Before committing and before
 * deleting anything it checks that no later attempt has claimed one, so a zombie writer of an earlier attempt
 * fails instead of committing into or pruning the run of the attempt that replaced it. Only the current writer
 * prunes: it keeps the last {@code keep} committed checkpoints and removes the uncommitted leftovers of its own
 * and earlier generations.
 */
public final class CheckpointStore {

  static final String PARAMS = "params.bin";
  static final String OPTIMIZER = "optimizer.bin";
  static final String STATE = "state.json";
  static final String COMMITTED = "_COMMITTED";
  private static final List<String> FILES = List.of(PARAMS, OPTIMIZER, STATE, COMMITTED);
  private static final String PREFIX = "step-";
  private static final Pattern NAME = Pattern.compile("step-(\\d{9,})-w(\\d{9,})");
  private static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;
  private final Configuration conf;
  private final int keep;
  private final WriterFence fence;

  /** A store to read checkpoints from; {@link #save} needs {@link #forWriting}. */
  public CheckpointStore(URI root, Configuration conf, int keep) {
    this(new Path(root), conf, keep, null);
  }

  private CheckpointStore(Path root, Configuration conf, int keep, WriterFence fence) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep_checkpoints must be >= 1, got " + keep);
    }
    this.root = root;
    this.conf = conf;
    this.keep = keep;
    this.fence = fence;
  }

  /**
   * The store of the run attempt that writes checkpoints from now on: claims the next writer generation, which
   * supersedes every earlier writer of {@code root}. Open it before choosing the checkpoint to resume from.
   */
  public static CheckpointStore forWriting(URI root, Configuration conf, int keep) {
    Path path = new Path(root);
    try {
      return new CheckpointStore(path, conf, keep, WriterFence.claim(path.getFileSystem(conf), path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot claim the checkpoints under " + root, e);
    }
  }

  /** The name of the checkpoint of {@code step} written by writer {@code generation}. */
  static String name(long step, long generation) {
    return String.format("%s%09d-w%09d", PREFIX, step, generation);
  }

  /**
   * Writes a checkpoint of the parameters, the optimizer and {@code state}; returns its directory.
   *
   * @throws IllegalStateException when a later attempt has claimed the checkpoints (nothing is committed)
   */
  public Path save(CheckpointState state, List<TrainableParameter> parameters, AdamW optimizer) {
    requireCurrentWriter();
    Path target = new Path(root, name(state.step(), fence.generation()));
    try {
      FileSystem fs = root.getFileSystem(conf);
      try (OutputStream out = fs.create(new Path(target, PARAMS), false)) {
        NamedTensors.write(out, byName(parameters));
      }
      try (OutputStream out = fs.create(new Path(target, OPTIMIZER), false)) {
        NamedTensors.write(out, optimizer.moments());
      }
      try (OutputStream out = fs.create(new Path(target, STATE), false)) {
        JSON.writeValue(out, toJson(state, optimizer.step()));
      }
      fence.requireCurrent(fs, "commit " + target);
      fs.create(new Path(target, COMMITTED), false).close();
      prune(fs);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + target, e);
    }
  }

  /**
   * Fails when this store may not write: opened for reading, or superseded by a later attempt. The loops call
   * it before rewriting anything else the run owns (its metrics file), so a zombie stops before that too.
   */
  public void requireCurrentWriter() {
    if (fence == null) {
      throw new IllegalStateException("checkpoints under " + root + " were opened for reading only");
    }
    try {
      fence.requireCurrent(root.getFileSystem(conf), "write under " + root.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the writers of " + root, e);
    }
  }

  /** The committed checkpoint with the highest step (of the latest writer at equal steps), if any. */
  public Optional<Path> latest() {
    List<Path> all = committed();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Committed checkpoints, oldest first. */
  public List<Path> committed() {
    try {
      FileSystem fs = root.getFileSystem(conf);
      List<Path> out = new ArrayList<>();
      for (FileStatus s : checkpointDirectories(fs)) {
        if (isComplete(fs, s.getPath())) {
          out.add(s.getPath());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + root, e);
    }
  }

  /** Whether {@code directory} is a committed checkpoint: the marker and every file are there. */
  public static boolean isCommitted(Path directory, Configuration conf) {
    try {
      FileSystem fs = directory.getFileSystem(conf);
      return fs.exists(directory) && isComplete(fs, directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + directory, e);
    }
  }

  /** The step and writer generation a checkpoint directory is named by. */
  public static long[] stepAndWriter(Path checkpoint) {
    Matcher m = NAME.matcher(checkpoint.getName());
    if (!m.matches()) {
      throw new IllegalArgumentException(checkpoint + ": not a checkpoint directory name");
    }
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
  }

  /** Reads a checkpoint's {@code state.json}. */
  public CheckpointState readState(Path checkpoint) {
    Path file = new Path(checkpoint, STATE);
    try (InputStream in = file.getFileSystem(conf).open(file)) {
      return fromJson(JSON.readTree(in), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Copies the checkpoint's parameter values into {@code parameters} (matched by name, shapes checked). */
  public void loadParameters(Path checkpoint, List<TrainableParameter> parameters, NDManager scratch) {
    Path file = new Path(checkpoint, PARAMS);
    try (NDManager manager = scratch.newSubManager();
        InputStream in = file.getFileSystem(conf).open(file)) {
      Map<String, NDArray> saved = NamedTensors.read(in, manager, file.toString());
      for (TrainableParameter p : parameters) {
        copyInto(p.array(), saved.get(p.name()), p.name(), file.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Restores the optimizer's moments and update count from a checkpoint. */
  public void loadOptimizer(Path checkpoint, AdamW optimizer, NDManager scratch) {
    Path file = new Path(checkpoint, OPTIMIZER);
    long updates = readUpdates(checkpoint);
    try (NDManager manager = scratch.newSubManager();
        InputStream in = file.getFileSystem(conf).open(file)) {
      optimizer.restore(NamedTensors.read(in, manager, file.toString()), updates, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private long readUpdates(Path checkpoint) {
    Path file = new Path(checkpoint, STATE);
    try (InputStream in = file.getFileSystem(conf).open(file)) {
      return JSON.readTree(in).path("optimizer_updates").asLong();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Keeps the last {@code keep} committed checkpoints and removes this and earlier writers' uncommitted
   * directories (crashed saves). A later writer's directories are never touched: the fence fails first.
   */
  private void prune(FileSystem fs) throws IOException {
    fence.requireCurrent(fs, "prune " + root);
    List<Path> all = committed();
    for (int i = 0; i < all.size() - keep; i++) {
      fs.delete(all.get(i), true);
    }
    for (FileStatus s : checkpointDirectories(fs)) {
      if (stepAndWriter(s.getPath())[1] <= fence.generation() && !isComplete(fs, s.getPath())) {
        fs.delete(s.getPath(), true);
      }
    }
  }

  /** Directories named like checkpoints, by (step, writer): oldest first. */
  private List<FileStatus> checkpointDirectories(FileSystem fs) throws IOException {
    if (!fs.exists(root)) {
      return List.of();
    }
    List<FileStatus> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(root, p -> NAME.matcher(p.getName()).matches())) {
      if (s.isDirectory()) {
        out.add(s);
      }
    }
    out.sort(Comparator.comparing(s -> s.getPath().getName()));
    return out;
  }

  private static boolean isComplete(FileSystem fs, Path directory) throws IOException {
    Set<String> present = new HashSet<>();
    for (FileStatus f : fs.listStatus(directory)) {
      present.add(f.getPath().getName());
    }
    return present.containsAll(FILES);
  }

  private static Map<String, NDArray> byName(List<TrainableParameter> parameters) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (TrainableParameter p : parameters) {
      out.put(p.name(), p.array());
    }
    return out;
  }

  private static void copyInto(NDArray target, NDArray saved, String name, String source) {
    if (saved == null) {
      throw new IllegalArgumentException(source + ": no parameter '" + name + "'");
    }
    if (!target.getShape().equals(saved.getShape()) || target.getDataType() != saved.getDataType()) {
      throw new IllegalArgumentException(source + ": parameter '" + name + "' is " + saved.getDataType()
          + saved.getShape() + ", the model has " + target.getDataType() + target.getShape());
    }
    target.set(saved.toByteBuffer());
  }

  private static ObjectNode toJson(CheckpointState s, long optimizerUpdates) {
    ObjectNode node = JSON.createObjectNode();
    node.put("format", FORMAT);
    node.put("step", s.step());
    node.put("tokens", s.tokens());
    node.put("flops", s.flops());
    node.putObject("data").put("epoch", s.data().epoch()).put("offset", s.data().offset());
    node.put("seed", s.seed());
    node.put("optimizer_updates", optimizerUpdates);
    node.put("rng", "dropout streams seeded from (seed, step, rank); data order from (seed, epoch)");
    node.set("model", s.model());
    node.set("train", s.train());
    if (!s.loraBases().isEmpty()) {
      ObjectNode bases = node.putObject("lora_bases");
      s.loraBases().forEach((role, base) -> bases.putObject(role).put("location", base.location())
          .put("fingerprint", base.fingerprint()));
    }
    return node;
  }

  private static CheckpointState fromJson(JsonNode node, String source) {
    if (node.path("format").asInt() != FORMAT) {
      throw new IllegalArgumentException(source + ": unsupported checkpoint format " + node.path("format"));
    }
    for (String field : List.of("step", "tokens", "flops", "data", "seed", "model", "train")) {
      if (!node.has(field)) {
        throw new IllegalArgumentException(source + ": missing field '" + field + "'");
      }
    }
    JsonNode data = node.get("data");
    Map<String, LoraBase> bases = new LinkedHashMap<>();
    node.path("lora_bases").fields().forEachRemaining(e -> bases.put(e.getKey(),
        new LoraBase(e.getValue().path("location").asText(), e.getValue().path("fingerprint").asText())));
    return new CheckpointState(node.get("step").asLong(), node.get("tokens").asLong(),
        node.get("flops").asDouble(), new DataPosition(data.path("epoch").asLong(), data.path("offset").asLong()),
        node.get("seed").asLong(), node.get("model"), node.get("train"), bases);
  }
}
