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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints under one directory of any Hadoop file system: {@code step-000000120/} holding
 * {@code params.bin} (parameters by name), {@code optimizer.bin} (AdamW moments), {@code state.json} and a
 * {@code _COMMITTED} marker.
 *
 * <p>A checkpoint is written under a temporary name, renamed into place, then marked committed; readers only
 * see marked checkpoints, so a crash at any point leaves the previous checkpoint the latest. (The marker is
 * what makes this hold on object stores, where a rename is a copy.) Only the last {@code keep} are kept.
 */
public final class CheckpointStore {

  static final String PARAMS = "params.bin";
  static final String OPTIMIZER = "optimizer.bin";
  static final String STATE = "state.json";
  static final String COMMITTED = "_COMMITTED";
  private static final String PREFIX = "step-";
  private static final String TEMP_PREFIX = ".tmp-";
  private static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;
  private final Configuration conf;
  private final int keep;

  public CheckpointStore(URI root, Configuration conf, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep_checkpoints must be >= 1, got " + keep);
    }
    this.root = new Path(root);
    this.conf = conf;
    this.keep = keep;
  }

  /** Writes a checkpoint of the parameters, the optimizer and {@code state}; returns its directory. */
  public Path save(CheckpointState state, List<TrainableParameter> parameters, AdamW optimizer) {
    Path target = new Path(root, String.format("%s%09d", PREFIX, state.step()));
    Path temp = new Path(root, TEMP_PREFIX + target.getName() + "-" + System.nanoTime());
    try {
      FileSystem fs = root.getFileSystem(conf);
      fs.mkdirs(temp);
      try (OutputStream out = fs.create(new Path(temp, PARAMS), false)) {
        NamedTensors.write(out, byName(parameters));
      }
      try (OutputStream out = fs.create(new Path(temp, OPTIMIZER), false)) {
        NamedTensors.write(out, optimizer.moments());
      }
      try (OutputStream out = fs.create(new Path(temp, STATE), false)) {
        JSON.writeValue(out, toJson(state, optimizer.step()));
      }
      if (fs.exists(target)) {
        fs.delete(target, true); // an uncommitted leftover of a crashed save at this step
      }
      if (!fs.rename(temp, target)) {
        throw new IOException("rename " + temp + " -> " + target + " failed");
      }
      fs.create(new Path(target, COMMITTED), false).close();
      prune(fs);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + target, e);
    }
  }

  /** The committed checkpoint with the highest step, if any. */
  public Optional<Path> latest() {
    List<Path> all = committed();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Committed checkpoints, oldest first. */
  public List<Path> committed() {
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        return List.of();
      }
      List<Path> out = new ArrayList<>();
      for (FileStatus s : fs.listStatus(root, p -> p.getName().startsWith(PREFIX))) {
        if (s.isDirectory() && fs.exists(new Path(s.getPath(), COMMITTED))) {
          out.add(s.getPath());
        }
      }
      out.sort(Comparator.comparing(Path::getName));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints under " + root, e);
    }
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

  private void prune(FileSystem fs) throws IOException {
    List<Path> all = committed();
    for (int i = 0; i < all.size() - keep; i++) {
      fs.delete(all.get(i), true);
    }
    for (FileStatus s : fs.listStatus(root, p -> p.getName().startsWith(TEMP_PREFIX))) {
      fs.delete(s.getPath(), true); // temp directories of crashed saves
    }
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
    node.put("rng", "engine re-seeded from (seed, step) before every step; data order from (seed, epoch)");
    node.set("model", s.model());
    node.set("train", s.train());
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
    return new CheckpointState(node.get("step").asLong(), node.get("tokens").asLong(),
        node.get("flops").asDouble(), new DataPosition(data.path("epoch").asLong(), data.path("offset").asLong()),
        node.get("seed").asLong(), node.get("model"), node.get("train"));
  }
}
