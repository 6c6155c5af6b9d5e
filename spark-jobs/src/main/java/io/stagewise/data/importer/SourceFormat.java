package io.stagewise.data.importer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.stagewise.data.DatasetKind;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/** The source file formats the importers read, and the dataset kinds each can produce. */
public enum SourceFormat {
  /** Anthropic HH-RLHF: JSON lines (optionally gzipped) of {@code chosen} / {@code rejected} transcripts. */
  HH_RLHF(Set.of(DatasetKind.PREFERENCE)),
  /** Stanford Alpaca: one JSON array of {@code instruction}, {@code input}, {@code output}. */
  ALPACA(Set.of(DatasetKind.SFT)),
  /** AdvBench {@code harmful_behaviors.csv}: {@code goal,target}. */
  ADVBENCH(Set.of(DatasetKind.PROMPTS)),
  /** Harmful prompts with a refusal and harmful completions ({@link RefusalPairsImporter}). */
  REFUSAL_PAIRS(Set.of(DatasetKind.SFT, DatasetKind.PREFERENCE)),
  /** Parquet files already in a normalised schema. */
  PARQUET(Set.of(DatasetKind.SFT, DatasetKind.PREFERENCE, DatasetKind.PROMPTS));

  private final Set<DatasetKind> produces;

  SourceFormat(Set<DatasetKind> produces) {
    this.produces = produces;
  }

  public boolean produces(DatasetKind kind) {
    return produces.contains(kind);
  }

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static SourceFormat fromWireName(String name) {
    for (SourceFormat format : values()) {
      if (format.wireName().equals(name)) {
        return format;
      }
    }
    throw new IllegalArgumentException("unknown source format '" + name + "'; expected one of "
        + Arrays.stream(values()).map(SourceFormat::wireName).toList());
  }
}
