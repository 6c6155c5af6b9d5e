package io.stagewise.trainer.collective;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over the records travelling one way along one link: every record (a frame header, or one slice
 * of a frame's payload) is followed by {@code HMAC(key, n | record)}, where n counts the records this direction
 * has carried so far. The counter is never sent: both ends keep it, so a record that is replayed, dropped,
 * reordered or moved between frames fails the check even though its bytes were once valid. The key is derived
 * per link, per direction and per stage attempt by {@link RingHandshake}, so records cannot be replayed from
 * another connection or attempt either.
 *
 * <p>One instance per direction, used by one thread at a time (the link's sending or receiving thread).
 */
final class FrameMac {

  static final int TAG_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private final Mac mac;
  private final ByteBuffer counterBytes = ByteBuffer.allocate(Long.BYTES);
  private final byte[] expected = new byte[TAG_BYTES];
  private final byte[] received = new byte[TAG_BYTES];
  private long records;

  FrameMac(byte[] key) {
    this.mac = newMac(key);
  }

  /** {@code HMAC(key, label | parts...)}: the one keyed function the handshake and the records are built on. */
  static byte[] hmac(byte[] key, String label, byte[]... parts) {
    Mac mac = newMac(key);
    mac.update(label.getBytes(StandardCharsets.US_ASCII));
    for (byte[] part : parts) {
      mac.update(part);
    }
    return mac.doFinal();
  }

  /** How many records have been sealed or checked: the position of the next one in this direction. */
  long records() {
    return records;
  }

  /** Writes the tag of {@code record} (its position to limit, left unchanged) into {@code tag} and counts it. */
  void seal(ByteBuffer record, ByteBuffer tag) {
    tag.clear();
    tag.put(tagOf(record));
    tag.flip();
    records++;
  }

  /**
   * Whether {@code tag} (its remaining bytes) is the tag of {@code record}, the next record of this direction.
   * Counts the record either way: after a failed check the link is unusable.
   */
  boolean verify(ByteBuffer record, ByteBuffer tag) {
    byte[] computed = tagOf(record);
    tag.duplicate().get(received);
    records++;
    return MessageDigest.isEqual(computed, received);
  }

  private byte[] tagOf(ByteBuffer record) {
    counterBytes.clear();
    counterBytes.putLong(records).flip();
    mac.update(counterBytes);
    mac.update(record.duplicate());
    try {
      mac.doFinal(expected, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the tag buffer holds " + TAG_BYTES + " bytes", e);
    }
    return expected;
  }

  private static Mac newMac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("not a usable " + ALGORITHM + " key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is required of every Java runtime", e);
    }
  }
}
