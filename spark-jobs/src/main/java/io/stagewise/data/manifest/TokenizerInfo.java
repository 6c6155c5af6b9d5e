package io.stagewise.data.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * How a token dataset was made, so a trainer can size its embedding and a reader can decode the ids.
 *
 * @param kind tokenizer kind ({@code byte_level}, {@code huggingface})
 * @param source the tokenizer file it was loaded from; null when it needs none
 * @param sourceSha256 SHA-256 of that file's bytes; null when there is none
 * @param baseVocabSize ids of the tokenizer itself, {@code [0, baseVocabSize)}
 * @param vocabSize base vocabulary plus the chat template's special tokens: the embedding size
 * @param specialIds every special id by name: the template's role, end and pad tokens and the
 *     tokenizer's own (e.g. GPT-2's {@code <|endoftext|>})
 * @param maxLength longest sequence written (SFT, preference prompt + response) or the block length (LM)
 * @param maxPromptLength longest prompt, null for LM blocks
 * @param truncation the truncation policy in words
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenizerInfo(
    @JsonProperty("kind") String kind,
    @JsonProperty("source") String source,
    @JsonProperty("source_sha256") String sourceSha256,
    @JsonProperty("base_vocab_size") int baseVocabSize,
    @JsonProperty("vocab_size") int vocabSize,
    @JsonProperty("special_ids") Map<String, Integer> specialIds,
    @JsonProperty("max_length") int maxLength,
    @JsonProperty("max_prompt_length") Integer maxPromptLength,
    @JsonProperty("truncation") String truncation) {}
