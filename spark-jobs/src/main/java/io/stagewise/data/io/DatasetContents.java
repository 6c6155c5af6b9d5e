package io.stagewise.data.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.RejectedRows;
import io.stagewise.data.manifest.TokenizerInfo;
import java.util.Arrays;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Everything a {@link DatasetPublisher} writes: the rows, the quarantined input rows, and what the
 * manifest needs beyond what it computes from the data itself.
 *
 * @param kind what the rows are
 * @param rows the data
 * @param rejected rows refused by an importer ({@link RejectedRows#SCHEMA}); null when the job has none
 * @param spec the full spec that built the data, recorded verbatim in the manifest
 * @param tokenizer tokenizer description for token datasets, else null
 * @param allowEmpty whether a dataset without rows may be published; an import says no unless asked, so
 *     that an input that yields nothing fails instead of replacing the dataset there with an empty one
 */
public record DatasetContents(DatasetKind kind, Dataset<Row> rows, Dataset<Row> rejected, JsonNode spec,
    TokenizerInfo tokenizer, boolean allowEmpty) {

  public DatasetContents {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(spec, "spec");
    if (rejected != null && !Arrays.asList(rejected.columns()).containsAll(
        Arrays.asList(RejectedRows.SCHEMA.fieldNames()))) {
      throw new IllegalArgumentException("rejected rows must have the columns "
          + Arrays.toString(RejectedRows.SCHEMA.fieldNames()) + ", got " + Arrays.toString(rejected.columns()));
    }
    if (!kind.isText() && tokenizer == null) {
      throw new IllegalArgumentException("a " + kind.wireName() + " dataset needs its tokenizer info");
    }
  }

  /** Contents that may be empty (datasets derived by a job from already published data). */
  public DatasetContents(DatasetKind kind, Dataset<Row> rows, Dataset<Row> rejected, JsonNode spec,
      TokenizerInfo tokenizer) {
    this(kind, rows, rejected, spec, tokenizer, true);
  }

  /** A text dataset without rejected rows (e.g. built by a job from already published data). */
  public static DatasetContents of(DatasetKind kind, Dataset<Row> rows, JsonNode spec) {
    return new DatasetContents(kind, rows, null, spec, null);
  }
}
