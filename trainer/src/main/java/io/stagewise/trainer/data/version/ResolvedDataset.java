package io.stagewise.trainer.data.version;

import java.net.URI;
import org.apache.hadoop.fs.Path;

/**
 * One version of a published dataset, fixed once by {@link DatasetResolver}: its manifest and rows are both
 * read from {@link #dir()}, so a reader never mixes two versions even while the dataset is republished.
 *
 * @param requested the URI the user named
 * @param dir the directory holding this version's rows and {@code _manifest.json}
 * @param version the version's name, or empty for a dataset in the layout before versions (its rows and
 *     manifest directly under {@code requested})
 */
public record ResolvedDataset(String requested, Path dir, String version) {

  public URI uri() {
    return dir.toUri();
  }

  public Path manifest() {
    return new Path(dir, DatasetLayout.MANIFEST);
  }

  /** A name for messages: the requested URI and, when versioned, its version. */
  public String describe() {
    return version.isEmpty() ? requested : requested + " (version " + version + ")";
  }
}
