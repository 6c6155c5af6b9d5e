package io.stagewise.data.tokenize;

import java.io.Serializable;
import java.util.Map;

/**
 * Text to token ids and back. Implementations are serializable so a Spark closure can carry one to the
 * executors, where each task uses its own copy and closes it when the task ends (native resources).
 * Encoding adds no special tokens: roles and ends are the {@link ChatTemplate}'s, added at the id level.
 */
public interface TextTokenizer extends Serializable, AutoCloseable {

  int[] encode(String text);

  String decode(int[] ids);

  /** Number of ids the tokenizer itself uses, {@code [0, vocabSize)}; the chat template's come after. */
  int vocabSize();

  /** The tokenizer's own special tokens by name (e.g. GPT-2's {@code <|endoftext|>}); may be empty. */
  Map<String, Integer> specialIds();

  /** {@code byte_level}, {@code huggingface}: recorded in manifests. */
  String kind();

  /** Where the tokenizer was loaded from, or null when it needs no file. */
  default String source() {
    return null;
  }

  /** SHA-256 of the tokenizer file, or null when there is none. */
  default String sourceSha256() {
    return null;
  }

  @Override
  default void close() {}
}
