package io.stagewise.trainer.data.version;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.Path;

/**
 * Where a published dataset (or a set of datasets published together) keeps its versions:
 * {@code ROOT/_versions/<version>/} holds one immutable version (for a set, one subdirectory per member),
 * and {@code ROOT/_pointers/pointer-<n>.json} the numbered pointers, the highest complete one naming the
 * current version. Both names start with an underscore, so Hadoop and Spark readers of {@code ROOT} that do
 * not resolve the pointer see no rows at all rather than a mix of versions.
 *
 * <p>A version's name carries its creation time ({@code v-20261207T003200123Z-<random>}), so clean-up
 * never needs a directory's modification time (0 on S3A).
 */
public final class DatasetLayout {
  public static final String VERSIONS = "_versions";
  public static final String POINTERS = "_pointers";
  /** Written into a version directory's dataset by the data plane, last of its files. */
  public static final String MANIFEST = "_manifest.json";

  private static final String PREFIX = "v-";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private DatasetLayout() {}

  public static Path versionsDir(Path root) {
    return new Path(root, VERSIONS);
  }

  public static Path pointersDir(Path root) {
    return new Path(root, POINTERS);
  }

  public static Path versionDir(Path root, String version) {
    return new Path(versionsDir(root), version);
  }

  /** A fresh version name created at {@code now}; names sort by creation time. */
  public static String newVersion(Instant now) {
    return PREFIX + TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** When the version called {@code name} was created, or empty when the name is not a version's. */
  public static Optional<Instant> createdAt(String name) {
    int end = name.indexOf('-', PREFIX.length());
    if (!name.startsWith(PREFIX) || end < 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.from(TIME.parse(name.substring(PREFIX.length(), end))));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
