package io.stagewise.trainer.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Frames after the handshake: a man in the middle between rank 0 and rank 1 of a real two-rank ring lets the
 * handshake through, then alters rank 0's stream. Rank 1 must refuse the altered frame, naming rank 0, before
 * any of it reaches a sum.
 *
 * <p>One all-reduce of 1 MiB in one bucket: rank 0 sends rank 1 two frames (its chunk for the reduce-scatter,
 * then the reduced chunk for the all-gather), each a header record and two payload records of 256 KiB.
 */
class FrameAuthenticationTest {

  private static final int FLOATS = 256 * 1024;
  private static final CollectiveOptions ONE_BUCKET = new CollectiveOptions(Duration.ofSeconds(20),
      Duration.ofSeconds(20), FLOATS * Float.BYTES, FLOATS * Float.BYTES);
  private static final long FIRST_FRAME = RingHandshake.PROOF_BYTES;
  private static final int HEADER_RECORD = PeerLink.HEADER_BYTES + FrameMac.TAG_BYTES;
  private static final int PAYLOAD_RECORD = PeerLink.MAX_RECORD_BYTES + FrameMac.TAG_BYTES;
  private static final int FRAME = HEADER_RECORD + 2 * PAYLOAD_RECORD;

  /** What the man in the middle does to rank 0's stream; each case is one span of it and a rewrite. */
  enum Tampering {
    /** Bit 0 of the header's sequence number. */
    HEADER_BYTE(FIRST_FRAME + 4, 1, TamperingProxy.flipByte(0)),
    /** A byte in the middle of the first payload record, i.e. one float of rank 0's gradient. */
    PAYLOAD_BYTE(FIRST_FRAME + HEADER_RECORD + 1001, 1, TamperingProxy.flipByte(0)),
    /** A byte of the first payload record's tag. */
    TAG_BYTE(FIRST_FRAME + HEADER_RECORD + PeerLink.MAX_RECORD_BYTES + 7, 1, TamperingProxy.flipByte(0)),
    /** The two payload records of the first frame exchanged: each is intact, only their order changed. */
    RECORDS_REORDERED(FIRST_FRAME + HEADER_RECORD, 2 * PAYLOAD_RECORD, TamperingProxy.swapHalves()),
    /**
     * The first frame sent again in place of the second: same kind, sequence number, count and length, so only
     * the record counter inside the tags tells them apart.
     */
    FRAME_REPLAYED(FIRST_FRAME, 2 * FRAME, TamperingProxy.replayFirstHalf());

    final long offset;
    final int length;
    final UnaryOperator<byte[]> rewrite;

    Tampering(long offset, int length, UnaryOperator<byte[]> rewrite) {
      this.offset = offset;
      this.length = length;
      this.rewrite = rewrite;
    }
  }

  @ParameterizedTest
  @EnumSource(Tampering.class)
  void aTamperedFrameFailsTheOperationNamingTheSenderAndNeverReachesTheSum(Tampering tampering)
      throws Exception {
    float[][] inputs = {values(0), values(1)};
    float[][] buffers = {inputs[0].clone(), inputs[1].clone()};
    List<CompletableFuture<Void>> outcomes;
    String sender;
    try (Proxied ring = Proxied.form(tampering.offset, tampering.length, tampering.rewrite, true)) {
      sender = "rank 0 at " + ring.realAddressOfRank0;
      outcomes = ring.ring.start(c -> {
        c.allReduceSum(FloatBuffer.wrap(buffers[c.rank()]));
        // Rank 0 may have finished the all-reduce (with right sums) before rank 1 read the bad record.
        c.barrier();
        return null;
      });
      CollectiveException refused = failureOf(outcomes.get(1));
      assertTrue(refused.getMessage().contains(sender + " sent a frame that failed authentication"),
          refused.getMessage());
      CollectiveException told = failureOf(outcomes.get(0));
      assertTrue(told.getMessage().contains("rank 1 gave up") || told.getMessage().contains("rank 1 at"),
          told.getMessage());
    }
    // Whatever a rank took in before the bad record is right: each element is its own value or the true sum.
    for (int rank = 0; rank < 2; rank++) {
      for (int i = 0; i < FLOATS; i++) {
        float own = inputs[rank][i];
        float sum = inputs[0][i] + inputs[1][i];
        if (buffers[rank][i] != own && buffers[rank][i] != sum) {
          throw new AssertionError("rank " + rank + " element " + i + " holds " + buffers[rank][i] + ", neither "
              + own + " nor " + sum);
        }
      }
    }
  }

  /** The same proxy forwarding everything unchanged: the failures above come from the tampering alone. */
  @Test
  void anHonestProxyChangesNothing() throws Exception {
    assertSumsThrough(true);
  }

  /** Without frame authentication the same traffic (no tags) still sums correctly. */
  @Test
  void bareFramesStillSum() throws Exception {
    assertSumsThrough(false);
  }

  private static void assertSumsThrough(boolean authenticate) throws Exception {
    try (Proxied ring = Proxied.form(Long.MAX_VALUE / 2, 0, UnaryOperator.identity(), authenticate)) {
      List<float[]> sums = ring.ring.onEveryRank(c -> {
        FloatBuffer buffer = FloatBuffer.wrap(values(c.rank()));
        c.allReduceSum(buffer);
        c.barrier();
        c.allReduceSum(buffer);
        return buffer.array();
      });
      float[] first = values(0);
      float[] second = values(1);
      float[] expected = new float[FLOATS];
      for (int i = 0; i < FLOATS; i++) {
        expected[i] = 2 * (first[i] + second[i]);
      }
      sums.forEach(sum -> assertArrayEquals(expected, sum));
    }
  }

  /** A two-rank ring whose link from rank 0 to rank 1 runs through a {@link TamperingProxy}. */
  private record Proxied(LocalRing ring, TamperingProxy proxy, InetSocketAddress realAddressOfRank0)
      implements AutoCloseable {

    static Proxied form(long offset, int length, UnaryOperator<byte[]> rewrite, boolean authenticate) {
      List<ServerSocket> listeners = LocalRing.listen(2);
      List<InetSocketAddress> real = LocalRing.addresses(listeners);
      TamperingProxy proxy = new TamperingProxy(real.get(1), offset, length, rewrite);
      List<InetSocketAddress> seenByRank0 = List.of(real.get(0), proxy.address());
      CollectiveOptions options = ONE_BUCKET.withAuthenticateFrames(authenticate);
      LocalRing ring = LocalRing.form(listeners, List.of(seenByRank0, real), Collections.nCopies(2, options), 3);
      return new Proxied(ring, proxy, real.get(0));
    }

    @Override
    public void close() {
      ring.close();
      proxy.close();
    }
  }

  /** Rank r's gradient: distinct per rank and per element, so a flipped bit or a moved record changes the sum. */
  private static float[] values(int rank) {
    float[] values = new float[FLOATS];
    for (int i = 0; i < FLOATS; i++) {
      values[i] = rank * 1000 + i % 997 + 0.25f;
    }
    return values;
  }

  private static CollectiveException failureOf(CompletableFuture<?> outcome) throws Exception {
    ExecutionException failed = assertThrows(ExecutionException.class, () -> outcome.get(30, TimeUnit.SECONDS));
    return assertInstanceOf(CollectiveException.class, failed.getCause());
  }
}
