package io.stagewise.data.io;

import io.stagewise.trainer.data.version.DatasetLayout;
import io.stagewise.trainer.data.version.PointerLog;
import io.stagewise.trainer.data.version.VersionPointer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How many versions of a published dataset (or set) stay on disk: the versions named by the last
 * {@code keep} pointers always stay (the current one among them); any other version directory is deleted
 * only once its name says it was created more than {@code grace} ago, so a publication under way, or a
 * reader still on a recently replaced version, is never cut short. Ages come from version names, never from
 * directory modification times (0 on S3A).
 *
 * @param keep versions kept however old, at least 1 (the current one)
 * @param grace the youngest a version directory outside those may be and still be deleted
 */
public record VersionRetention(int keep, Duration grace) {
  /** Hadoop/Spark configuration keys ({@code --conf spark.hadoop.<key>=...}). */
  public static final String KEEP_KEY = "stagewise.datasets.keep-versions";
  public static final String GRACE_KEY = "stagewise.datasets.grace-minutes";
  public static final VersionRetention DEFAULT = new VersionRetention(3, Duration.ofHours(24));

  public VersionRetention {
    if (keep < 1) {
      throw new IllegalArgumentException(KEEP_KEY + ": must be >= 1 (the current version), got " + keep);
    }
    if (grace.isNegative()) {
      throw new IllegalArgumentException(GRACE_KEY + ": must be >= 0, got " + grace.toMinutes());
    }
  }

  /** The retention the configuration asks for, defaults where it says nothing; errors name the key. */
  public static VersionRetention from(Configuration conf) {
    try {
      return new VersionRetention(conf.getInt(KEEP_KEY, DEFAULT.keep()),
          Duration.ofMinutes(conf.getLong(GRACE_KEY, DEFAULT.grace().toMinutes())));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(KEEP_KEY + " / " + GRACE_KEY + ": not a whole number ("
          + e.getMessage() + ")", e);
    }
  }

  /**
   * Deletes what this retention lets go under {@code root}: old version directories and the pointers
   * before the last {@code keep}. Called by the publisher after its pointer is written.
   */
  public void prune(FileSystem fs, Path root, Instant now) throws IOException {
    PointerLog log = new PointerLog(fs, root);
    List<VersionPointer> pointers = log.read();
    List<VersionPointer> kept = pointers.subList(Math.max(0, pointers.size() - keep), pointers.size());
    Set<String> keptVersions = new HashSet<>();
    kept.forEach(p -> keptVersions.add(p.version()));
    for (FileStatus dir : versionDirs(fs, root)) {
      String name = dir.getPath().getName();
      Optional<Instant> created = DatasetLayout.createdAt(name);
      if (!keptVersions.contains(name) && created.isPresent() && created.get().plus(grace).isBefore(now)) {
        fs.delete(dir.getPath(), true);
      }
    }
    if (!kept.isEmpty()) {
      log.deleteBelow(kept.get(0).number());
    }
  }

  private static FileStatus[] versionDirs(FileSystem fs, Path root) throws IOException {
    try {
      return fs.listStatus(DatasetLayout.versionsDir(root));
    } catch (FileNotFoundException e) {
      return new FileStatus[0];
    }
  }
}
