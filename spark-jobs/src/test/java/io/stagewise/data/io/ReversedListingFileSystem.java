package io.stagewise.data.io;

import io.stagewise.sweep.run.AliasedLocalFileSystem;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * The local file system under the scheme {@code swrev:}, listing every directory in reverse name order: what a
 * local disk may do for any two names, made certain, so a reader relying on listing order shows it.
 */
public final class ReversedListingFileSystem extends AliasedLocalFileSystem {
  static final String SCHEME = "swrev";

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] out = super.listStatus(f);
    Arrays.sort(out, Collections.reverseOrder((a, b) -> a.getPath().getName().compareTo(b.getPath().getName())));
    return out;
  }
}
