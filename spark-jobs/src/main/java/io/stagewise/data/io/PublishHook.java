package io.stagewise.data.io;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Runs when a dataset is completely staged (data, rejected rows and manifest written) and before it is
 * renamed into place: a last check that may veto the publication by throwing. The previous dataset is
 * untouched until this returns.
 */
@FunctionalInterface
public interface PublishHook {
  PublishHook NONE = (fs, staged) -> { };

  void beforeCommit(FileSystem fs, Path staged) throws IOException;
}
