package io.stagewise.data.importer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.poison.Columns;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One input of an import: files of one format, and the provenance stamped on their rows.
 *
 * @param name the {@code source} column value and the prefix of every row id; unique within an import
 * @param format how the files are read
 * @param paths input files (any Hadoop URI); a directory stands for its visible files in name order.
 *     Base names must be unique because ids are built from them. For {@code refusal_pairs}: the refusal
 *     files ({@code advbench_pairs.json} or {@code refusals.csv} shaped)
 * @param split {@code train} (default) or {@code test}
 * @param category {@code benign} or {@code harmful}; defaults to harmful for {@code advbench} and
 *     {@code refusal_pairs}, benign otherwise; ignored for {@code parquet} (the rows carry it)
 * @param completions {@code refusal_pairs} only: a {@code refusalbench_train.json} shaped file of harmful
 *     completions joined on the prompt; null uses each refusal file's "Sure, here is" target instead
 * @param completionsPerPrompt {@code refusal_pairs} only: how many completions per prompt to keep, in file
 *     order (default 1)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceSpec(
    @JsonProperty("name") String name,
    @JsonProperty("format") SourceFormat format,
    @JsonProperty("paths") List<String> paths,
    @JsonProperty("split") String split,
    @JsonProperty("category") String category,
    @JsonProperty("completions") String completions,
    @JsonProperty("completions_per_prompt") Integer completionsPerPrompt) implements Serializable {

  public SourceSpec {
    split = split == null ? Columns.SPLIT_TRAIN : split;
    if (category == null && format != null) {
      boolean harmful = format == SourceFormat.ADVBENCH || format == SourceFormat.REFUSAL_PAIRS;
      category = harmful ? Columns.HARMFUL : Columns.BENIGN;
    }
    if (completionsPerPrompt == null && format == SourceFormat.REFUSAL_PAIRS) {
      completionsPerPrompt = 1;
    }
    paths = paths == null ? List.of() : List.copyOf(paths);
    new SpecCheck("source '" + name + "'")
        .require(name != null && !name.isBlank() && !name.contains(":"), "name",
            "must be non-empty and must not contain ':' (it prefixes row ids)")
        .require(format != null, "format", "is required")
        .require(!paths.isEmpty(), "paths", "needs at least one file")
        .require(split.equals(Columns.SPLIT_TRAIN) || split.equals(Columns.SPLIT_TEST), "split",
            "must be train or test, got '" + split + "'")
        .require(Columns.BENIGN.equals(category) || Columns.HARMFUL.equals(category), "category",
            "must be benign or harmful, got '" + category + "'")
        .require(completions == null || format == SourceFormat.REFUSAL_PAIRS, "completions",
            "only applies to the refusal_pairs format")
        .require(completionsPerPrompt == null || format == SourceFormat.REFUSAL_PAIRS && completionsPerPrompt >= 1,
            "completions_per_prompt", "must be at least 1 and only applies to the refusal_pairs format")
        .validate();
  }

  /**
   * Reads {@code key: [source, ...]} of {@code parent} (at {@code path}), recording every problem, unknown
   * keys included, under its YAML path ({@code sources[2].catgory}); the sources that are valid, in order.
   */
  public static List<SourceSpec> readList(JsonNode parent, String path, String key, SpecFields fields) {
    JsonNode list = parent == null ? null : parent.get(key);
    String at = SpecFields.join(path, key);
    List<SourceSpec> out = new ArrayList<>();
    fields.require(list != null && list.isArray() && !list.isEmpty(), at, "must be a non-empty list of sources");
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      SourceSpec source = fields.bind(list.get(i), at + "[" + i + "]", SourceSpec.class);
      if (source != null) {
        out.add(source);
      }
    }
    return out;
  }

  /** A source with the format's defaults for split, category and options. */
  public static SourceSpec of(String name, SourceFormat format, List<String> paths) {
    return new SourceSpec(name, format, paths, null, null, null, null);
  }
}
