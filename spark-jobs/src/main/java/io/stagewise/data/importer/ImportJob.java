package io.stagewise.data.importer;

import io.stagewise.data.JobSummary;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.manifest.Manifest;
import org.apache.spark.sql.SparkSession;

/**
 * Imports the sources of an {@link ImportSpec} into one normalised dataset and publishes it, with the
 * rejected rows under {@code _rejected/} and counted in the manifest.
 */
public final class ImportJob {
  private ImportJob() {}

  public static JobSummary run(SparkSession spark, ImportSpec spec) {
    return run(spark, spec, new DatasetPublisher(spark));
  }

  public static JobSummary run(SparkSession spark, ImportSpec spec, DatasetPublisher publisher) {
    ImportResult all = null;
    for (SourceSpec source : spec.sources()) {
      ImportResult result = Importer.of(source, spec.kind()).read(spark);
      all = all == null ? result : all.union(result);
    }
    ImportResult parsed = all.persist();
    try {
      Manifest manifest = publisher.publish(
          new DatasetContents(spec.kind(), parsed.rows(), parsed.rejected(), spec.toJson(), null), spec.output());
      return new JobSummary(spec.output(), manifest);
    } finally {
      parsed.unpersist();
    }
  }
}
