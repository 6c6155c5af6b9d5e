package io.stagewise.data.io;

import io.stagewise.data.RejectedRows;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A dataset published by {@link DatasetPublisher}: its manifest, rows and rejected rows. */
public final class PublishedDataset {
  private final SparkSession spark;
  private final String uri;
  private final Manifest manifest;

  private PublishedDataset(SparkSession spark, String uri, Manifest manifest) {
    this.spark = spark;
    this.uri = uri;
    this.manifest = manifest;
  }

  /** Opens the dataset at {@code uri}; fails naming the URI when no manifest is there. */
  public static PublishedDataset open(SparkSession spark, String uri) {
    return new PublishedDataset(spark, uri, ManifestReader.read(spark, uri));
  }

  public String uri() {
    return uri;
  }

  public Manifest manifest() {
    return manifest;
  }

  public Dataset<Row> rows() {
    return spark.read().parquet(uri);
  }

  /** The quarantined input rows; empty (with {@link RejectedRows#SCHEMA}) when the job had none. */
  public Dataset<Row> rejected() {
    Path dir = new Path(new Path(uri), RejectedRows.DIRECTORY);
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
