package io.stagewise.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 as the data plane names content with it: stage and publication keys ({@link #shortHex}), manifest
 * fingerprints (a longer prefix) and file hashes (the whole digest, streamed through {@link #sha256}).
 */
public final class ContentDigest {
  /** Bytes of a short key: 64 bits, 16 hex digits. */
  private static final int SHORT_BYTES = 8;

  private ContentDigest() {}

  /** The first 64 bits of the SHA-256 of {@code text}'s UTF-8 bytes, in hex: a stage's or a publication's key. */
  public static String shortHex(String text) {
    return prefixHex(text.getBytes(StandardCharsets.UTF_8), SHORT_BYTES);
  }

  /** The first {@code bytes} bytes of the SHA-256 of {@code content}, in hex. */
  public static String prefixHex(byte[] content, int bytes) {
    return HexFormat.of().formatHex(sha256().digest(content), 0, bytes);
  }

  /** The whole SHA-256 of {@code content}, in hex. */
  public static String hex(byte[] content) {
    return HexFormat.of().formatHex(sha256().digest(content));
  }

  /** A fresh SHA-256 digest, for content streamed in parts. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
