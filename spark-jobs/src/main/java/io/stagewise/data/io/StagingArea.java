package io.stagewise.data.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The hidden siblings of a dataset directory {@code parent/name}: {@code .name.staging-<uuid>} where a new
 * version is written, and {@code .name.replaced-<uuid>} where the previous version waits while the new one
 * is renamed in. The leading dot hides both from Hadoop and Spark readers of the parent directory.
 *
 * <p>Renames within one directory are atomic on HDFS and local file systems; on S3A a rename is a copy, so
 * there a reader can briefly find no dataset, but never a partial one (the manifest is written last).
 * One writer per target at a time: the sweep driver's content-addressed artifact paths guarantee that.
 */
final class StagingArea {
  private static final String STAGING = ".staging-";
  private static final String REPLACED = ".replaced-";

  private final FileSystem fs;
  private final Path target;

  StagingArea(FileSystem fs, Path target) {
    this.fs = fs;
    this.target = target;
  }

  Path newStaging() {
    return sibling(STAGING + UUID.randomUUID());
  }

  /**
   * Repairs what an interrupted commit can leave: if the process died after setting the old version aside
   * but before renaming the new one in, the old one is restored; set-aside copies of a dataset that was
   * replaced are deleted.
   */
  void recover() throws IOException {
    List<FileStatus> replaced = siblings(REPLACED);
    if (replaced.isEmpty()) {
      return;
    }
    replaced.sort(Comparator.comparingLong(FileStatus::getModificationTime).reversed());
    if (!fs.exists(target)) {
      rename(replaced.remove(0).getPath(), target);
    }
    for (FileStatus old : replaced) {
      fs.delete(old.getPath(), true);
    }
  }

  /** Deletes staging directories of failed or killed publications older than {@code age}. */
  void removeStaleStaging(Instant now, Duration age) throws IOException {
    for (FileStatus staging : siblings(STAGING)) {
      if (staging.getModificationTime() < now.minus(age).toEpochMilli()) {
        fs.delete(staging.getPath(), true);
      }
    }
  }

  /**
   * Moves a complete staged dataset into place: the old version (if any) is renamed aside, the new one
   * renamed in, then the old one deleted. If the second rename fails the old version is renamed back.
   */
  void commit(Path staging) throws IOException {
    Path aside = null;
    if (fs.exists(target)) {
      aside = sibling(REPLACED + UUID.randomUUID());
      rename(target, aside);
    }
    try {
      rename(staging, target);
    } catch (IOException e) {
      if (aside != null) {
        rename(aside, target);
      }
      throw e;
    }
    if (aside != null) {
      // A failure here leaves only a hidden leftover, which recover() removes next time.
      fs.delete(aside, true);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }

  private Path sibling(String suffix) {
    return new Path(target.getParent(), "." + target.getName() + suffix);
  }

  private List<FileStatus> siblings(String infix) throws IOException {
    String prefix = "." + target.getName() + infix;
    try {
      FileStatus[] all = fs.listStatus(target.getParent(), p -> p.getName().startsWith(prefix));
      return new java.util.ArrayList<>(Arrays.asList(all));
    } catch (FileNotFoundException e) {
      return new java.util.ArrayList<>();
    }
  }
}
