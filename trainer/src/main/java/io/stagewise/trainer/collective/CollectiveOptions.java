package io.stagewise.trainer.collective;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning and safety limits of a {@link RingAllReduce}.
 *
 * @param connectTimeout how long forming the ring may take, connecting to the right neighbour and waiting for
 *     the left one included
 * @param ioTimeout how long a link may stay silent during an operation before the peer is declared dead. It must
 *     cover the skew between workers reaching the same operation (rank 0 writing a checkpoint while the others
 *     wait in the next all-reduce), hence the generous default
 * @param bucketBytes size of the slices a large buffer is reduced in; each slice is split into W chunks, one
 *     per ring step
 * @param maxFrameBytes largest payload a peer may announce in one frame; at least {@code bucketBytes}, so
 *     well-formed traffic always fits
 * @param authenticateFrames whether every frame after the handshake carries an HMAC-SHA256 tag that the
 *     receiver checks before using it (on by default). Off leaves only the handshake authenticated: for a network
 *     where nothing can alter traffic, or to measure what the tags cost. Every rank must agree
 */
public record CollectiveOptions(Duration connectTimeout, Duration ioTimeout, int bucketBytes, int maxFrameBytes,
    boolean authenticateFrames) {

  public static final int MIN_BUCKET_BYTES = 4 * 1024;

  public CollectiveOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(ioTimeout, "ioTimeout");
    requirePositiveMillis("connectTimeout", connectTimeout);
    requirePositiveMillis("ioTimeout", ioTimeout);
    if (bucketBytes < MIN_BUCKET_BYTES || bucketBytes % Float.BYTES != 0) {
      throw new IllegalArgumentException("bucketBytes must be a multiple of " + Float.BYTES + " and at least "
          + MIN_BUCKET_BYTES + ", got " + bucketBytes);
    }
    if (maxFrameBytes < bucketBytes) {
      throw new IllegalArgumentException("maxFrameBytes (" + maxFrameBytes
          + ") must be at least bucketBytes (" + bucketBytes + ")");
    }
  }

  /** Authenticated frames. */
  public CollectiveOptions(Duration connectTimeout, Duration ioTimeout, int bucketBytes, int maxFrameBytes) {
    this(connectTimeout, ioTimeout, bucketBytes, maxFrameBytes, true);
  }

  /** Ten-minute I/O timeout (as PyTorch's process groups), 8 MiB buckets, 16 MiB frames at most, authenticated. */
  public static CollectiveOptions defaults() {
    return new CollectiveOptions(Duration.ofMinutes(2), Duration.ofMinutes(10), 8 << 20, 16 << 20);
  }

  public CollectiveOptions withAuthenticateFrames(boolean authenticate) {
    return new CollectiveOptions(connectTimeout, ioTimeout, bucketBytes, maxFrameBytes, authenticate);
  }

  private static void requirePositiveMillis(String field, Duration value) {
    if (value.isNegative() || value.toMillis() < 1) {
      throw new IllegalArgumentException(field + " must be at least 1 ms, got " + value);
    }
  }
}
