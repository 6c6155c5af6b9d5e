package io.stagewise.data.io;

import io.stagewise.data.RejectedRows;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestReader;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
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

  public Dataset<Row> rows() {
    return spark.read().parquet(version.dir().toString());
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
