package io.stagewise.data.io;

import io.stagewise.data.RejectedRows;
import io.stagewise.data.manifest.DatasetStatistics;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestWriter;
import io.stagewise.trainer.data.version.DatasetLayout;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.PointerLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Publishes a dataset, or a set of datasets together, to any Hadoop file system URI ({@code file://},
 * {@code hdfs://}, {@code s3a://}, or a plain path on the default file system), atomically on object stores
 * too.
 *
 * <p>Everything is written into a new, never reused version directory ({@link DatasetLayout}): the rows
 * (Parquet), the rejected rows ({@code _rejected/}) and {@code _manifest.json}, computed from the data as
 * written. Only then does one small pointer file, written last, make the version current (a set's pointer
 * names all its members at once). Nothing is renamed into place, so a crash at any step, a failing job or a
 * vetoing {@link PublishHook} leaves the previous version current; readers resolve the pointer once
 * ({@link DatasetResolver}) and read manifest and rows from that one version. After its pointer, the
 * publisher prunes old versions ({@link VersionRetention}). One publisher per target at a time: the sweep
 * driver's content-addressed artifact paths guarantee that, and a second one fails on the pointer number.
 */
public final class DatasetPublisher {
  private final SparkSession spark;
  private final PublishHook hook;
  private final VersionRetention retention;
  private final Clock clock;

  /** A publisher with the retention of the session's Hadoop configuration ({@link VersionRetention#from}). */
  public DatasetPublisher(SparkSession spark) {
    this(spark, PublishHook.NONE, VersionRetention.from(spark.sparkContext().hadoopConfiguration()),
        Clock.systemUTC());
  }

  public DatasetPublisher(SparkSession spark, PublishHook hook, VersionRetention retention, Clock clock) {
    this.spark = spark;
    this.hook = hook;
    this.retention = retention;
    this.clock = clock;
  }

  /**
   * Writes {@code contents} as a new version of the dataset at {@code targetUri} and returns the manifest it
   * was published with.
   *
   * @throws UncheckedIOException on file system errors, or the Spark error that failed the write; in both
   *     cases the version current at {@code targetUri} has not changed
   */
  public Manifest publish(DatasetContents contents, String targetUri) {
    return publish(targetUri, Map.of("", contents), false).get("");
  }

  /**
   * Writes every member as one new version of the set at {@code rootUri} (member {@code m} is then read at
   * {@code rootUri/m}); one pointer makes all of them current at once, so readers never see members of two
   * publications. Returns the manifests by member name, in the order given.
   */
  public Map<String, Manifest> publishSet(String rootUri, Map<String, DatasetContents> members) {
    if (members.isEmpty() || members.keySet().stream().anyMatch(m -> m.isEmpty() || m.contains("/")
        || m.startsWith("_") || m.startsWith("."))) {
      throw new IllegalArgumentException("a set needs members named by plain, visible directory names: "
          + members.keySet());
    }
    return publish(rootUri, members, true);
  }

  private Map<String, Manifest> publish(String rootUri, Map<String, DatasetContents> members, boolean set) {
    Path root = new Path(rootUri);
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      root = fs.makeQualified(root);
      String version = DatasetLayout.newVersion(clock.instant());
      Path versionDir = DatasetLayout.versionDir(root, version);
      Map<String, Manifest> manifests = new LinkedHashMap<>();
      try {
        Map<String, Manifest> staged = stageAll(members, fs, root, versionDir, set);
        members.keySet().forEach(name -> manifests.put(name, staged.get(name)));
        hook.beforeCommit(fs, versionDir);
      } catch (IOException | RuntimeException e) {
        deleteIfPresent(fs, versionDir);
        throw e;
      }
      new PointerLog(fs, root).append(version, set ? List.copyOf(members.keySet()) : List.of(), clock.instant());
      prune(fs, root);
      return manifests;
    } catch (IOException e) {
      throw new UncheckedIOException("publishing " + root + " failed: " + e.getMessage(), e);
    }
  }

  private void prune(FileSystem fs, Path root) {
    try {
      retention.prune(fs, root, clock.instant());
    } catch (IOException e) {
      // The publication has happened; what was not pruned now is pruned by the next publication.
    }
  }

  /**
   * Stages every member under the version directory, several at once: a set's members are independent, and a
   * small member's jobs are mostly the driver's planning and scheduling, one job at a time, so side by side
   * they keep the task slots busy (the synthetic world's six members). As many at once as the session has task
   * slots. Returns once every member has finished, the first failure rethrown.
   */
  private Map<String, Manifest> stageAll(Map<String, DatasetContents> members, FileSystem fs, Path root,
      Path versionDir, boolean set) throws IOException {
    int width = Math.max(1, Math.min(members.size(), spark.sparkContext().defaultParallelism()));
    ExecutorService pool = Executors.newFixedThreadPool(width, r -> {
      Thread t = new Thread(r, "publish-member");
      t.setDaemon(true);
      return t;
    });
    try {
      Map<String, Future<Manifest>> running = new LinkedHashMap<>();
      members.forEach((name, contents) -> running.put(name, pool.submit(() -> stage(contents, fs,
          set ? new Path(versionDir, name) : versionDir, set ? new Path(root, name) : root))));
      Map<String, Manifest> out = new LinkedHashMap<>();
      Throwable failure = null;
      for (Map.Entry<String, Future<Manifest>> m : running.entrySet()) {
        try {
          out.put(m.getKey(), m.getValue().get()); // waits for every member, failed or not, before cleanup
        } catch (ExecutionException e) {
          failure = failure == null ? e.getCause() : failure;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = failure == null ? e : failure;
        }
      }
      if (failure instanceof IOException io) {
        throw io;
      }
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      if (failure != null) {
        throw new IllegalStateException("staging " + root + " was interrupted", failure);
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private Manifest stage(DatasetContents contents, FileSystem fs, Path dir, Path target) throws IOException {
    contents.rows().write().mode(SaveMode.ErrorIfExists).parquet(dir.toString());
    Map<String, Long> rejectedByFile = Map.of();
    long rejectedRows = 0;
    if (contents.rejected() != null) {
      String rejectedDir = new Path(dir, RejectedRows.DIRECTORY).toString();
      contents.rejected().select(columns(RejectedRows.SCHEMA.fieldNames()))
          .write().mode(SaveMode.ErrorIfExists).parquet(rejectedDir);
      rejectedByFile = DatasetStatistics.rejectedByFile(spark.read().parquet(rejectedDir));
      rejectedRows = rejectedByFile.values().stream().mapToLong(Long::longValue).sum();
    }
    // Statistics of what was written, not of the input plan: that is what readers will see.
    Dataset<Row> written = spark.read().parquet(dir.toString());
    DatasetStatistics stats = DatasetStatistics.of(written);
    if (stats.fingerprint().rows() == 0 && !contents.allowEmpty()) {
      throw new EmptyDatasetException(emptyMessage(dir, target, rejectedRows));
    }
    Manifest manifest = new Manifest(Manifest.SCHEMA_VERSION, contents.kind(), contents.spec(),
        stats.fingerprint().rows(), stats.rowsBySplit(), stats.poisonedByAttacker(), rejectedRows,
        rejectedByFile, stats.fingerprint().digest(), Instant.now(clock).toString(), contents.tokenizer());
    ManifestWriter.write(fs, dir, manifest);
    return manifest;
  }

  /** Why nothing is published: what was rejected (the staged rows are about to be deleted) and what is kept. */
  private String emptyMessage(Path dir, Path target, long rejectedRows) {
    StringBuilder out = new StringBuilder(target + ": not published: the input yielded no rows");
    if (rejectedRows > 0) {
      out.append(" (").append(rejectedRows).append(" rejected; first:");
      for (Row r : spark.read().parquet(new Path(dir, RejectedRows.DIRECTORY).toString())
          .orderBy(RejectedRows.FILE, RejectedRows.LINE).limit(3).collectAsList()) {
        out.append(" ").append(r.<String>getAs(RejectedRows.FILE)).append(" line ")
            .append(r.<Long>getAs(RejectedRows.LINE)).append(": ").append(r.<String>getAs(RejectedRows.REASON))
            .append(";");
      }
      out.setLength(out.length() - 1);
      out.append(")");
    }
    out.append(published(target) ? "; the dataset already there is unchanged" : "; nothing was written");
    return out.append(". To publish an empty dataset anyway, pass --allow-empty (allow_empty: true in an import"
        + " spec)").toString();
  }

  private boolean published(Path target) {
    try {
      new DatasetResolver(spark.sparkContext().hadoopConfiguration()).resolve(target.toString());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Column[] columns(String[] names) {
    Column[] columns = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      columns[i] = functions.col(names[i]);
    }
    return columns;
  }

  private static void deleteIfPresent(FileSystem fs, Path versionDir) {
    try {
      fs.delete(versionDir, true);
    } catch (IOException e) {
      // No pointer names it; VersionRetention removes it once past its grace. The original error matters more.
    }
  }
}
