package io.stagewise.data.spec;

import org.apache.hadoop.fs.Path;

/**
 * What to tell the user when a file is not found by a driver that runs on a cluster node (deploy mode
 * cluster): a path on the submitting machine's disk does not exist there. One place for that advice, used by
 * every reader of user-named files (specs, importer inputs).
 */
public final class DriverReach {
  private DriverReach() {
  }

  /** A hint to append to "not found" for {@code path}, or "" when the path is not a local one on a cluster. */
  public static String hint(Path path) {
    return hint(path, System.getProperty("spark.submit.deployMode"));
  }

  static String hint(Path path, String deployMode) {
    String scheme = path.toUri().getScheme();
    boolean local = scheme == null || "file".equals(scheme);
    if (!local || !"cluster".equals(deployMode)) {
      return "";
    }
    return " (the driver runs on a cluster node, where this local path does not exist: name spec files on"
        + " bin/stagewise's command line so they are shipped with --files, and put data on the cluster's file"
        + " system, hdfs:// or s3a://)";
  }
}
