package io.stagewise.sweep.run;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under a scheme of its own, {@code swtest:}, which a Hadoop configuration only knows
 * when it carries {@code fs.swtest.impl}: a run writing there proves it was given that configuration.
 */
public class AliasedLocalFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "swtest";

  @Override
  public URI getUri() {
    return URI.create(getScheme() + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }
}
