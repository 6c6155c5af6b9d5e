package io.stagewise.data.io;

import io.stagewise.data.RejectedRows;
import io.stagewise.data.manifest.DatasetStatistics;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Publishes a dataset atomically to any Hadoop file system URI ({@code file://}, {@code hdfs://},
 * {@code s3a://}, or a plain path on the default file system).
 *
 * <p>The rows (Parquet), the rejected rows ({@code _rejected/}, Parquet) and {@code _manifest.json} are
 * written under a hidden sibling of the target; the manifest is computed from the data as written, and
 * written last. Only then is the staged directory renamed into place, replacing any previous version (see
 * {@link StagingArea}). A failure at any step deletes the staged directory and leaves the previous dataset
 * as it was.
 */
public final class DatasetPublisher {
  /** Staging directories of dead publications are deleted once this old. */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofHours(24);

  private final SparkSession spark;
  private final PublishHook hook;
  private final Duration staleAfter;
  private final Clock clock;

  public DatasetPublisher(SparkSession spark) {
    this(spark, PublishHook.NONE, DEFAULT_STALE_AFTER, Clock.systemUTC());
  }

  public DatasetPublisher(SparkSession spark, PublishHook hook, Duration staleAfter, Clock clock) {
    this.spark = spark;
    this.hook = hook;
    this.staleAfter = staleAfter;
    this.clock = clock;
  }

  /**
   * Writes {@code contents} to {@code targetUri} and returns the manifest it was published with.
   *
   * @throws UncheckedIOException on file system errors, or the Spark error that failed the write; in both
   *     cases nothing at {@code targetUri} has changed
   */
  public Manifest publish(DatasetContents contents, String targetUri) {
    Path target = new Path(targetUri);
    try {
      FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
      target = fs.makeQualified(target);
      fs.mkdirs(target.getParent());
      StagingArea area = new StagingArea(fs, target);
      area.recover();
      area.removeStaleStaging(clock.instant(), staleAfter);
      Path staging = area.newStaging();
      try {
        Manifest manifest = stage(contents, fs, staging, target);
        hook.beforeCommit(fs, staging);
        area.commit(staging);
        return manifest;
      } finally {
        deleteIfPresent(fs, staging);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("publishing " + target + " failed: " + e.getMessage(), e);
    }
  }

  private Manifest stage(DatasetContents contents, FileSystem fs, Path staging, Path target) throws IOException {
    contents.rows().write().mode(SaveMode.ErrorIfExists).parquet(staging.toString());
    Map<String, Long> rejectedByFile = Map.of();
    long rejectedRows = 0;
    if (contents.rejected() != null) {
      String rejectedDir = new Path(staging, RejectedRows.DIRECTORY).toString();
      contents.rejected().select(columns(RejectedRows.SCHEMA.fieldNames()))
          .write().mode(SaveMode.ErrorIfExists).parquet(rejectedDir);
      rejectedByFile = DatasetStatistics.rejectedByFile(spark.read().parquet(rejectedDir));
      rejectedRows = rejectedByFile.values().stream().mapToLong(Long::longValue).sum();
    }
    // Statistics of what was written, not of the input plan: that is what readers will see.
    Dataset<Row> written = spark.read().parquet(staging.toString());
    DatasetStatistics stats = DatasetStatistics.of(written);
    if (stats.fingerprint().rows() == 0 && !contents.allowEmpty()) {
      throw new EmptyDatasetException(emptyMessage(fs, staging, target, rejectedRows));
    }
    Manifest manifest = new Manifest(Manifest.SCHEMA_VERSION, contents.kind(), contents.spec(),
        stats.fingerprint().rows(), stats.rowsBySplit(), stats.poisonedByAttacker(), rejectedRows,
        rejectedByFile, stats.fingerprint().digest(), Instant.now(clock).toString(), contents.tokenizer());
    ManifestWriter.write(fs, staging, manifest);
    return manifest;
  }

  /** Why nothing is published: what was rejected (the staged rows are about to be deleted) and what is kept. */
  private String emptyMessage(FileSystem fs, Path staging, Path target, long rejectedRows) throws IOException {
    StringBuilder out = new StringBuilder(target + ": not published: the input yielded no rows");
    if (rejectedRows > 0) {
      out.append(" (").append(rejectedRows).append(" rejected; first:");
      for (Row r : spark.read().parquet(new Path(staging, RejectedRows.DIRECTORY).toString())
          .orderBy(RejectedRows.FILE, RejectedRows.LINE).limit(3).collectAsList()) {
        out.append(" ").append(r.<String>getAs(RejectedRows.FILE)).append(" line ")
            .append(r.<Long>getAs(RejectedRows.LINE)).append(": ").append(r.<String>getAs(RejectedRows.REASON))
            .append(";");
      }
      out.setLength(out.length() - 1);
      out.append(")");
    }
    out.append(fs.exists(target) ? "; the dataset already there is unchanged" : "; nothing was written");
    return out.append(". To publish an empty dataset anyway, pass --allow-empty (allow_empty: true in an import"
        + " spec)").toString();
  }

  private static Column[] columns(String[] names) {
    Column[] columns = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      columns[i] = functions.col(names[i]);
    }
    return columns;
  }

  private static void deleteIfPresent(FileSystem fs, Path staging) {
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      // Left hidden; StagingArea.removeStaleStaging removes it later. The original outcome matters more.
    }
  }
}
