package io.stagewise.data.tokenize;

/**
 * The printable stand-in character of each byte in byte-level BPE (GPT-2's encoding, used by Hugging Face's
 * {@code ByteLevel} pre-tokenizer): bytes that are printable Latin-1 characters ({@code !}..{@code ~},
 * {@code ¡}..{@code ¬}, {@code ®}..{@code ÿ}) stand for themselves; the others, in byte order, take the
 * characters from U+0100 on.
 */
final class ByteAlphabet {

  private ByteAlphabet() {
  }

  /** The character of byte b at index b. */
  static char[] characters() {
    char[] alphabet = new char[256];
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      alphabet[b] = printable ? (char) b : (char) next++;
    }
    return alphabet;
  }
}
