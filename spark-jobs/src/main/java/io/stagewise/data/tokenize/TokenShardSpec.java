package io.stagewise.data.tokenize;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.stagewise.data.SpecCheck;

/**
 * Tokenize a published SFT or preference dataset into a token dataset.
 *
 * @param input URI of the published text dataset
 * @param output URI to publish the token dataset to
 * @param tokenizer which tokenizer (default byte level)
 * @param truncation sequence limits
 */
public record TokenShardSpec(
    @JsonProperty("input") String input,
    @JsonProperty("output") String output,
    @JsonProperty("tokenizer") TokenizerSpec tokenizer,
    @JsonProperty("truncation") TruncationPolicy truncation) {

  public TokenShardSpec {
    tokenizer = tokenizer == null ? TokenizerSpec.BYTE_LEVEL : tokenizer;
    new SpecCheck("token shard spec")
        .require(input != null && !input.isBlank(), "input", "is required")
        .require(output != null && !output.isBlank(), "output", "is required")
        .require(output == null || !output.equals(input), "output", "must differ from input")
        .require(truncation != null, "truncation", "is required (max_length, max_prompt_length)")
        .validate();
  }
}
