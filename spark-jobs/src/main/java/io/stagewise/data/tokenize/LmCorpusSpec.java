package io.stagewise.data.tokenize;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.stagewise.data.SpecCheck;
import java.util.List;

/**
 * Plain text files (e.g. tiny Shakespeare) to fixed-length blocks of token ids for language modelling.
 *
 * @param name the {@code source} column and id prefix
 * @param paths the text files, concatenated in this order with an [end] token between files
 * @param output URI to publish the blocks to
 * @param tokenizer which tokenizer (default byte level)
 * @param blockSize tokens per block
 * @param testFraction share of blocks, taken from the end of the corpus, in the {@code test} split
 */
public record LmCorpusSpec(
    @JsonProperty("name") String name,
    @JsonProperty("paths") List<String> paths,
    @JsonProperty("output") String output,
    @JsonProperty("tokenizer") TokenizerSpec tokenizer,
    @JsonProperty("block_size") int blockSize,
    @JsonProperty("test_fraction") double testFraction) {

  public LmCorpusSpec {
    tokenizer = tokenizer == null ? TokenizerSpec.BYTE_LEVEL : tokenizer;
    paths = paths == null ? List.of() : List.copyOf(paths);
    new SpecCheck("lm corpus spec")
        .require(name != null && !name.isBlank() && !name.contains(":"), "name",
            "must be non-empty and must not contain ':'")
        .require(!paths.isEmpty(), "paths", "needs at least one text file")
        .require(output != null && !output.isBlank(), "output", "is required")
        .require(blockSize >= 2, "block_size", "must be at least 2, got " + blockSize)
        .require(testFraction >= 0 && testFraction < 1, "test_fraction", "must be in [0, 1), got " + testFraction)
        .validate();
  }
}
