package io.stagewise.sweep.spec;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import java.util.Set;

/**
 * Reads the {@code tokenizer} and {@code truncation} sections every spec that makes token datasets shares
 * (sweeps, dataset families), recording each problem under its field in the caller's {@link SpecCheck}.
 */
public final class TokenizationReader {
  private final SpecCheck check;
  private final SpecFields fields;

  public TokenizationReader(SpecCheck check, SpecFields fields) {
    this.check = check;
    this.fields = fields;
  }

  /** {@code tokenizer: {kind, path?}}; byte-level when absent. */
  public TokenizerSpec tokenizer(JsonNode node) {
    if (node == null) {
      return TokenizerSpec.BYTE_LEVEL;
    }
    fields.onlyKeys(node, "tokenizer", Set.of("kind", "path"));
    return fields.flattened("tokenizer", () -> new TokenizerSpec(
        node.hasNonNull("kind") ? node.get("kind").asText() : null,
        node.hasNonNull("path") ? node.get("path").asText() : null));
  }

  /** {@code truncation: {max_length, max_prompt_length}}, required; null when unusable (the problem recorded). */
  public TruncationPolicy truncation(JsonNode node) {
    check.require(node != null, "truncation", "is required (max_length, max_prompt_length)");
    fields.onlyKeys(node, "truncation", Set.of("max_length", "max_prompt_length"));
    long max = fields.integer(node, "truncation", "max_length", -1, 2);
    long prompt = fields.integer(node, "truncation", "max_prompt_length", -1, 1);
    return node == null || max < 0 || prompt < 0 ? null
        : fields.flattened("truncation", () -> new TruncationPolicy((int) max, (int) prompt));
  }
}
