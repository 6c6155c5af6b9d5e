package io.stagewise.trainer.eval;

/** Turns generated token ids back into text: the caller's tokenizer (the trainer has none). */
@FunctionalInterface
public interface TokenDecoder {

  /** The text of {@code ids}, which never include the end token. */
  String decode(int[] ids);
}
