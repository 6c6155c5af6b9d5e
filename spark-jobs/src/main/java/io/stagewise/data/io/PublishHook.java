package io.stagewise.data.io;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Runs when a new version is completely written (data, rejected rows and manifest of every member) and
 * before its pointer makes it current: a last check that may veto the publication by throwing. The current
 * version is untouched until the pointer is written.
 */
@FunctionalInterface
public interface PublishHook {
  PublishHook NONE = (fs, version) -> { };

  void beforeCommit(FileSystem fs, Path version) throws IOException;
}
