package io.stagewise.data.io;

import io.stagewise.data.RejectedRows;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestReader;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One version of a dataset published by {@link DatasetPublisher}: resolved once when opened, so its
 * manifest, rows and rejected rows all come from that version even if the dataset is republished meanwhile.
 */
public final class PublishedDataset {
  private final SparkSession spark;
  private final ResolvedDataset version;
  private final Manifest manifest;

  private PublishedDataset(SparkSession spark, ResolvedDataset version, Manifest manifest) {
    this.spark = spark;
    this.version = version;
    this.manifest = manifest;
  }

  /** Opens the current version of the dataset at {@code uri}; fails naming the URI when none is there. */
  public static PublishedDataset open(SparkSession spark, String uri) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ResolvedDataset version = new DatasetResolver(conf).resolve(uri);
    return new PublishedDataset(spark, version, ManifestReader.read(conf, version));
  }

  /** The URI the dataset was opened by. */
  public String uri() {
    return version.requested();
  }

  /** The version read: where its rows and manifest are. */
  public ResolvedDataset version() {
    return version;
  }

  public Manifest manifest() {
    return manifest;
  }

  /**
   * The rows, read part file by part file in name order. Spark orders a scan's files by size only, so two part
   * files of the same size were read in the file system's listing order, which on a local disk follows the
   * hash of their random names: a job reading them (tokenizing a poisoned set, say) then wrote its parts with
   * the two swapped from one run to the next, and the trainer, reading parts in name order, drew other
   * batches from equal content. Named in order, equal sizes keep the order of their names.
   */
  public Dataset<Row> rows() {
    return spark.read().parquet(partFiles());
  }

  private String[] partFiles() {
    Path dir = version.dir();
    try {
      FileStatus[] parts = dir.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .listStatus(dir, p -> p.getName().startsWith("part-"));
      String[] files = Arrays.stream(parts).filter(FileStatus::isFile).map(FileStatus::getPath)
          .sorted(Comparator.comparing(Path::getName)).map(Path::toString).toArray(String[]::new);
      return files.length == 0 ? new String[] {dir.toString()} : files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The quarantined input rows; empty (with {@link RejectedRows#SCHEMA}) when the job had none. */
  public Dataset<Row> rejected() {
    Path dir = new Path(version.dir(), RejectedRows.DIRECTORY);
    try {
      if (dir.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(dir)) {
        return spark.read().parquet(dir.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir, e);
    }
    return spark.createDataFrame(java.util.List.of(), RejectedRows.SCHEMA);
  }
}
