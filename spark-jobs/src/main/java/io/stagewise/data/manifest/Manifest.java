package io.stagewise.data.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import java.util.Map;

/**
 * The {@code _manifest.json} of a published dataset (DESIGN.md § Datasets): what the data is, the spec
 * that built it, what it holds, and a content fingerprint. Everything but {@code built_at} is a pure
 * function of the spec and the inputs, so two builds of the same spec compare equal on
 * {@link #fingerprint()}.
 *
 * @param schemaVersion version of this manifest layout and of the dataset schemas ({@link #SCHEMA_VERSION})
 * @param kind what the rows are
 * @param spec the full spec that built the dataset, as given by the job (any JSON tree)
 * @param rows number of data rows
 * @param rowsBySplit row counts by split, then by category (empty for datasets without those columns)
 * @param poisonedByAttacker number of rows with {@code is_poisoned} by attacker name
 * @param rejectedRows number of input rows quarantined under {@code _rejected/}
 * @param rejectedByFile rejected counts by source file
 * @param fingerprint order- and partitioning-independent digest of the data ({@link ContentFingerprint})
 * @param builtAt ISO-8601 instant of publication; not part of the fingerprint
 * @param tokenizer how token datasets were tokenized; null for text datasets
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
    @JsonProperty("schema_version") int schemaVersion,
    @JsonProperty("kind") DatasetKind kind,
    @JsonProperty("spec") JsonNode spec,
    @JsonProperty("rows") long rows,
    @JsonProperty("rows_by_split") Map<String, Map<String, Long>> rowsBySplit,
    @JsonProperty("poisoned_by_attacker") Map<String, Long> poisonedByAttacker,
    @JsonProperty("rejected_rows") long rejectedRows,
    @JsonProperty("rejected_by_file") Map<String, Long> rejectedByFile,
    @JsonProperty("fingerprint") String fingerprint,
    @JsonProperty("built_at") String builtAt,
    @JsonProperty("tokenizer") TokenizerInfo tokenizer) {

  /** Bumped whenever a dataset schema or this layout changes incompatibly. */
  public static final int SCHEMA_VERSION = 1;

  /** The manifest file's name inside a dataset directory. */
  public static final String FILE_NAME = "_manifest.json";

  public Manifest {
    rowsBySplit = rowsBySplit == null ? Map.of() : rowsBySplit;
    poisonedByAttacker = poisonedByAttacker == null ? Map.of() : poisonedByAttacker;
    rejectedByFile = rejectedByFile == null ? Map.of() : rejectedByFile;
  }

  /** Rows of one split and category, 0 when absent. */
  public long rows(String split, String category) {
    return rowsBySplit.getOrDefault(split, Map.of()).getOrDefault(category, 0L);
  }

  /** Total poisoned rows over all attackers. */
  public long poisonedRows() {
    return poisonedByAttacker.values().stream().mapToLong(Long::longValue).sum();
  }
}
