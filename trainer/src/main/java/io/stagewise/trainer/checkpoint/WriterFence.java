package io.stagewise.trainer.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Which attempt of a run may write its checkpoints. Every attempt's writer claims the next generation number
 * (a file {@code _writers/writer-<n>}) before it picks the checkpoint to resume from, and checks that no later
 * generation exists before each commit and each deletion. A task of an earlier attempt that Spark gave up on but
 * that still runs (a zombie) therefore stops at its next checkpoint instead of committing over, or pruning, the
 * checkpoints of the attempt that replaced it.
 *
 * <p>A claim is a create-if-absent of the next number followed by reading the file back: on object stores,
 * where create-if-absent is a check then a write, two writers racing for one number both read the winner's
 * nonce and the loser takes the next number.
 */
final class WriterFence {

  static final String DIRECTORY = "_writers";
  private static final String PREFIX = "writer-";

  private final Path directory;
  private final long generation;

  private WriterFence(Path directory, long generation) {
    this.directory = directory;
    this.generation = generation;
  }

  /** Claims the generation after every one claimed so far under {@code root}. */
  static WriterFence claim(FileSystem fs, Path root) throws IOException {
    Path directory = new Path(root, DIRECTORY);
    fs.mkdirs(directory);
    String nonce = UUID.randomUUID().toString();
    for (long next = latest(fs, directory) + 1; ; next++) {
      Path mine = new Path(directory, String.format("%s%09d", PREFIX, next));
      try (OutputStream out = fs.create(mine, false)) {
        out.write(nonce.getBytes(StandardCharsets.UTF_8));
      } catch (FileAlreadyExistsException e) {
        continue;
      }
      try (InputStream in = fs.open(mine)) {
        if (new String(in.readAllBytes(), StandardCharsets.UTF_8).equals(nonce)) {
          return new WriterFence(directory, next);
        }
      }
    }
  }

  long generation() {
    return generation;
  }

  /** Fails when a later attempt has claimed the checkpoints: this writer must not {@code action}. */
  void requireCurrent(FileSystem fs, String action) throws IOException {
    long latest = latest(fs, directory);
    if (latest != generation) {
      throw new IllegalStateException("checkpoint writer " + generation + " of " + directory.getParent()
          + " was superseded by writer " + latest + " (a later attempt of this run); not going to " + action);
    }
  }

  private static long latest(FileSystem fs, Path directory) throws IOException {
    long latest = 0;
    for (FileStatus s : fs.listStatus(directory, p -> p.getName().matches(PREFIX + "[0-9]+"))) {
      latest = Math.max(latest, Long.parseLong(s.getPath().getName().substring(PREFIX.length())));
    }
    return latest;
  }
}
