package io.stagewise.trainer.data.version;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one way every reader of a published dataset finds what to read (Spark jobs, sweep stages, the
 * trainer's shard reader, inspect, report): it resolves the pointer once and returns the version directory,
 * from which the manifest and the rows are then both read.
 *
 * <p>A URI {@code .../NAME} resolves, in order of the newest publication:
 * <ul>
 *   <li>NAME's own current pointer (a dataset published on its own): {@code NAME/_versions/<v>/};</li>
 *   <li>its parent's current pointer when that set's version holds NAME (datasets published together, as
 *       {@code data synth}'s world): {@code PARENT/_versions/<v>/NAME/};</li>
 *   <li>when both exist, the later-published one;</li>
 *   <li>otherwise a dataset in the layout before versions ({@code NAME/_manifest.json}) is read in place;
 *       a version directory itself resolves this way too, so resolving twice is harmless.</li>
 * </ul>
 */
public final class DatasetResolver {
  private final Configuration conf;

  public DatasetResolver(Configuration conf) {
    this.conf = conf;
  }

  public ResolvedDataset resolve(URI uri) {
    return resolve(uri.toString());
  }

  /**
   * Resolves {@code uri} to one version.
   *
   * @throws IllegalArgumentException naming the URI when nothing is published there
   */
  public ResolvedDataset resolve(String uri) {
    try {
      FileSystem fs = new Path(uri).getFileSystem(conf);
      Path root = fs.makeQualified(new Path(uri));
      Optional<VersionPointer> own = new PointerLog(fs, root).current();
      Optional<VersionPointer> set = root.getParent() == null ? Optional.empty()
          : new PointerLog(fs, root.getParent()).current().filter(p -> p.holds(root.getName()));
      if (set.isPresent() && (own.isEmpty() || set.get().published().isAfter(own.get().published()))) {
        return new ResolvedDataset(uri,
            new Path(DatasetLayout.versionDir(root.getParent(), set.get().version()), root.getName()),
            set.get().version());
      }
      if (own.isPresent()) {
        return new ResolvedDataset(uri, DatasetLayout.versionDir(root, own.get().version()), own.get().version());
      }
      if (fs.exists(new Path(root, DatasetLayout.MANIFEST))) {
        return new ResolvedDataset(uri, root, "");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve the dataset at " + uri + ": " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no published dataset at " + uri + " (no version pointer under "
        + DatasetLayout.POINTERS + "/ and no " + DatasetLayout.MANIFEST + ")");
  }
}
