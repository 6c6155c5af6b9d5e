package io.stagewise.trainer.data.version;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The numbered pointers of one dataset root ({@code _pointers/pointer-<n>.json}). A publication becomes
 * current by adding the next pointer, a new small file created without overwriting: one PUT on S3 (atomic),
 * an exclusive create on HDFS and local file systems. Nothing is renamed, so the scheme is the same on every
 * file system, and a pointer is never rewritten in place, so a reader sees either all of a pointer or (while
 * it is written, or after its writer was killed) bytes it skips.
 */
public final class PointerLog {
  private static final String PREFIX = "pointer-";
  private static final String SUFFIX = ".json";

  private final FileSystem fs;
  private final Path root;

  public PointerLog(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  /** Every complete pointer, oldest first; empty when the root has none (or does not exist). */
  public List<VersionPointer> read() throws IOException {
    List<VersionPointer> pointers = new ArrayList<>();
    for (FileStatus file : files()) {
      try (InputStream in = fs.open(file.getPath())) {
        VersionPointer.parse(in.readAllBytes()).filter(p -> file.getPath().getName().equals(fileName(p.number())))
            .ifPresent(pointers::add);
      } catch (FileNotFoundException e) {
        // Pruned by a publisher between the listing and the read: older than the ones that remain.
      } catch (ChecksumException e) {
        // A local file system's pointer still being written (its checksum file lags): not published yet.
      }
    }
    pointers.sort(Comparator.comparingLong(VersionPointer::number));
    return pointers;
  }

  /** The current version: the highest-numbered complete pointer. */
  public Optional<VersionPointer> current() throws IOException {
    List<VersionPointer> all = read();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Makes {@code version} current by writing the next pointer. The caller has written the whole version
   * before; after this returns every new reader gets it.
   *
   * @throws IOException when another publisher took the number first (one writer per root)
   */
  public VersionPointer append(String version, List<String> members, Instant published) throws IOException {
    long next = files().stream().mapToLong(f -> number(f.getPath().getName())).max().orElse(0) + 1;
    VersionPointer pointer = new VersionPointer(next, version, published, members);
    Path file = new Path(DatasetLayout.pointersDir(root), fileName(next));
    try (OutputStream out = fs.create(file, false)) {
      out.write(pointer.toJson());
    } catch (FileAlreadyExistsException e) {
      throw new IOException(root + ": another publisher wrote " + file.getName() + " at the same time; one"
          + " publisher per dataset at a time", e);
    }
    return pointer;
  }

  /** Deletes the pointer files numbered below {@code number} (they name versions no reader resolves to). */
  public void deleteBelow(long number) throws IOException {
    for (FileStatus file : files()) {
      if (number(file.getPath().getName()) < number) {
        fs.delete(file.getPath(), false);
      }
    }
  }

  private List<FileStatus> files() throws IOException {
    try {
      List<FileStatus> out = new ArrayList<>();
      for (FileStatus f : fs.listStatus(DatasetLayout.pointersDir(root))) {
        String name = f.getPath().getName();
        if (f.isFile() && number(name) > 0) {
          out.add(f);
        }
      }
      return out;
    } catch (FileNotFoundException e) {
      return List.of();
    }
  }

  private static String fileName(long number) {
    return String.format("%s%012d%s", PREFIX, number, SUFFIX);
  }

  /** The number in a pointer file's name, or 0 when the name is not a pointer's. */
  private static long number(String name) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
      return 0;
    }
    try {
      return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
