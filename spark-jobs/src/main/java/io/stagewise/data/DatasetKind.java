package io.stagewise.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.stagewise.poison.Columns;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.types.StructType;

/**
 * What a published dataset holds. The text kinds have a fixed normalised schema ({@link Columns}); the
 * token kinds are provenance plus token arrays, written by the tokenize jobs.
 */
public enum DatasetKind {
  SFT(Columns.SFT),
  PREFERENCE(Columns.PREFERENCE),
  PROMPTS(Columns.PROMPTS),
  SFT_TOKENS(null),
  PREFERENCE_TOKENS(null),
  LM_TOKENS(null);

  private final StructType textSchema;

  DatasetKind(StructType textSchema) {
    this.textSchema = textSchema;
  }

  /** The normalised text schema, or an error for token kinds (their schema belongs to the tokenizer). */
  public StructType textSchema() {
    if (textSchema == null) {
      throw new IllegalStateException(wireName() + " is a token dataset kind, not a normalised text kind");
    }
    return textSchema;
  }

  public boolean isText() {
    return textSchema != null;
  }

  /** The name used in specs and manifests: {@code sft}, {@code preference_tokens}, ... */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; the error lists the accepted names. */
  @JsonCreator
  public static DatasetKind fromWireName(String name) {
    for (DatasetKind kind : values()) {
      if (kind.wireName().equals(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown dataset kind '" + name + "'; expected one of "
        + Arrays.stream(values()).map(DatasetKind::wireName).toList());
  }
}
