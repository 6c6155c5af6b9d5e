package io.stagewise.data.importer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.stagewise.data.InputFileTally;
import io.stagewise.data.JobSummary;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.EmptyDatasetException;
import io.stagewise.data.manifest.Manifest;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Imports the sources of an {@link ImportSpec} into one normalised dataset and publishes it, with the
 * rejected rows under {@code _rejected/} and counted in the manifest. The summary tallies every input
 * file: records read (by the parsers) = imported + rejected (as published), which catches a row lost
 * between the two. An import that yields no rows fails, leaving the dataset there as it was, unless the
 * spec allows an empty one.
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
      List<Row> read = parsed.records().groupBy(ImportResult.FILE, ImportResult.UNIT)
          .agg(count(lit(1)).as("read"), sum(when(col(ImportResult.IMPORTED), 1L).otherwise(0L)).as("imported"))
          .orderBy(ImportResult.FILE).collectAsList();
      Manifest manifest;
      try {
        manifest = publisher.publish(new DatasetContents(spec.kind(), parsed.rows(), parsed.rejected(),
            spec.toJson(), null, spec.allowEmpty()), spec.output());
      } catch (EmptyDatasetException e) {
        // The publisher knows what was rejected; the inputs (an empty file has no rejected rows) are ours.
        throw new EmptyDatasetException(e.getMessage() + ". Inputs: " + String.join(", ",
            spec.sources().stream().flatMap(s -> s.paths().stream()).toList()));
      }
      return new JobSummary(spec.output(), manifest, tally(read, manifest));
    } finally {
      parsed.unpersist();
    }
  }

  /** Per file: read and imported from the parse, rejected from what was published; they must add up. */
  private static List<InputFileTally> tally(List<Row> read, Manifest manifest) {
    List<InputFileTally> tallies = new ArrayList<>();
    for (Row r : read) {
      String file = r.getString(0);
      tallies.add(new InputFileTally(file, r.getString(1), r.getLong(2), r.getLong(3),
          manifest.rejectedByFile().getOrDefault(file, 0L)));
    }
    long tallied = tallies.stream().mapToLong(InputFileTally::rejected).sum();
    if (tallied != manifest.rejectedRows()) {
      throw new IllegalStateException("rejected rows of files that were not read: " + manifest.rejectedByFile());
    }
    return tallies;
  }
}
