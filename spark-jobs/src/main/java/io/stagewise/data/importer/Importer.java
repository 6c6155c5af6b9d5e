package io.stagewise.data.importer;

import io.stagewise.data.DatasetKind;
import org.apache.spark.sql.SparkSession;

/**
 * Reads one source into a normalised dataset. A malformed row never vanishes: it comes back among the
 * rejected rows with its file, line and reason. Input that cannot be read at all (a missing file, a
 * {@code .gz} that is not gzip, a JSON array broken mid-file, a missing column) fails with an error naming
 * the file.
 */
public interface Importer {

  /** Parses the source lazily; the work runs when the result is written. */
  ImportResult read(SparkSession spark);

  /** The importer for {@code source}, producing {@code kind} rows. */
  static Importer of(SourceSpec source, DatasetKind kind) {
    if (!source.format().produces(kind)) {
      throw new IllegalArgumentException(
          "source '" + source.name() + "': " + source.format().wireName() + " cannot produce " + kind.wireName());
    }
    return switch (source.format()) {
      case HH_RLHF -> new HhRlhfImporter(source);
      case ALPACA -> new AlpacaImporter(source);
      case ADVBENCH -> new AdvBenchImporter(source);
      case REFUSAL_PAIRS -> new RefusalPairsImporter(source, kind);
      case PARQUET -> new ParquetImporter(source, kind);
    };
  }
}
