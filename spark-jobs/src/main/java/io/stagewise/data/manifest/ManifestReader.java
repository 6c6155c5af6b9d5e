package io.stagewise.data.manifest;

import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Loads the {@code _manifest.json} of a published dataset from any Hadoop file system URI. */
public final class ManifestReader {
  private ManifestReader() {}

  public static Manifest read(SparkSession spark, String datasetUri) {
    return read(spark.sparkContext().hadoopConfiguration(), datasetUri);
  }

  /** Reads the manifest of the current version of the dataset at {@code datasetUri}. */
  public static Manifest read(Configuration conf, String datasetUri) {
    return read(conf, new DatasetResolver(conf).resolve(datasetUri));
  }

  /** Reads the manifest of one resolved version; the error names the dataset when it is missing. */
  public static Manifest read(Configuration conf, ResolvedDataset version) {
    Path file = version.manifest();
    try {
      FileSystem fs = file.getFileSystem(conf);
      try (InputStream in = fs.open(file)) {
        return ManifestCodec.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), file.toString());
      }
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("no published dataset at " + version.describe() + " ("
          + Manifest.FILE_NAME + " is missing)", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
