package io.stagewise.data.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The default tokenizer: one id per UTF-8 byte (256 ids), no files, no training. Any text round-trips;
 * decoding a cut in the middle of a multi-byte character yields U+FFFD for that character.
 */
public final class ByteLevelTokenizer implements TextTokenizer {
  public static final String KIND = "byte_level";

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    byte[] bytes = new byte[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] > 255) {
        throw new IllegalArgumentException("id " + ids[i] + " at " + i + " is not a byte id");
      }
      bytes[i] = (byte) ids[i];
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public int vocabSize() {
    return 256;
  }

  @Override
  public Map<String, Integer> specialIds() {
    return Map.of();
  }

  @Override
  public String kind() {
    return KIND;
  }
}
