package io.stagewise.trainer.collective;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Peers that stall, die, or send what they should not: every live rank fails promptly and names the culprit. */
class RingFailureTest {

  private static final long IO_TIMEOUT_MILLIS = 1_000;
  private static final CollectiveOptions SHORT_TIMEOUT = new CollectiveOptions(Duration.ofSeconds(20),
      Duration.ofMillis(IO_TIMEOUT_MILLIS), CollectiveOptions.MIN_BUCKET_BYTES,
      CollectiveOptions.MIN_BUCKET_BYTES);

  /** The last rank never joins the operation; every other rank must blame it, not its own left neighbour. */
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void aRankThatNeverJoinsIsNamedByEveryOtherRank(int world) throws Exception {
    int stalled = world - 1;
    List<ServerSocket> listeners = LocalRing.listen(world);
    String culprit = "rank " + stalled + " at " + LocalRing.addresses(listeners).get(stalled);
    try (LocalRing ring = LocalRing.form(listeners, SHORT_TIMEOUT)) {
      long start = System.nanoTime();
      List<CompletableFuture<Long>> outcomes = ring.start(c -> {
        if (c.rank() != stalled) {
          c.allReduceSum(FloatBuffer.allocate(3000));
        }
        return System.nanoTime();
      });
      for (int r = 0; r < stalled; r++) {
        CollectiveException error = failureOf(outcomes.get(r));
        assertTrue(error.getMessage().contains(culprit), "rank " + r + " blamed: " + error.getMessage());
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(elapsedMillis >= IO_TIMEOUT_MILLIS, "gave up before the timeout: " + elapsedMillis + " ms");
      assertTrue(elapsedMillis < IO_TIMEOUT_MILLIS * 5 / 4 + 1_500, "took " + elapsedMillis + " ms");

      CollectiveException later = assertThrows(CollectiveException.class, () -> ring.rank(0).barrier());
      assertTrue(later.getMessage().contains("broken by an earlier failure"), later.getMessage());
      // The straggler fails on its next operation instead of waiting for a ring that is gone.
      long late = System.nanoTime();
      assertThrows(CollectiveException.class, () -> ring.rank(stalled).allReduceSum(FloatBuffer.allocate(3000)));
      assertTrue(System.nanoTime() - late < TimeUnit.MILLISECONDS.toNanos(IO_TIMEOUT_MILLIS));
    }
  }

  @Test
  void aRankThatDiesFailsTheOthersAtOnceNamingIt() throws Exception {
    List<ServerSocket> listeners = LocalRing.listen(3);
    String culprit = "rank 2 at " + LocalRing.addresses(listeners).get(2);
    try (LocalRing ring = LocalRing.form(listeners, LocalRing.FAST)) {
      long start = System.nanoTime();
      ring.rank(2).close();
      List<CompletableFuture<Void>> outcomes = ring.start(c -> {
        if (c.rank() != 2) {
          c.allReduceSum(FloatBuffer.allocate(100_000));
        }
        return null;
      });
      for (int r = 0; r < 2; r++) {
        CollectiveException error = failureOf(outcomes.get(r));
        assertTrue(error.getMessage().contains(culprit), "rank " + r + " blamed: " + error.getMessage());
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(elapsedMillis < LocalRing.FAST.ioTimeout().toMillis() / 4, "took " + elapsedMillis + " ms");
    }
  }

  /** A frame longer than the receiver's limit is refused before a byte of it is buffered. */
  @Test
  void rejectsAFrameAboveTheMaximum() throws Exception {
    List<ServerSocket> listeners = LocalRing.listen(2);
    InetSocketAddress sender = LocalRing.addresses(listeners).get(0);
    CollectiveOptions large = new CollectiveOptions(Duration.ofSeconds(20), Duration.ofSeconds(20), 1 << 16,
        1 << 16);
    try (LocalRing ring = LocalRing.form(listeners, List.of(large, LocalRing.FAST))) {
      List<CompletableFuture<Void>> outcomes = ring.start(c -> {
        c.allReduceSum(FloatBuffer.allocate(100_000));
        return null;
      });
      CollectiveException refused = failureOf(outcomes.get(1));
      assertTrue(refused.getMessage().contains("rank 0 at " + sender + " announced a frame of 32768 bytes,"
          + " above maxFrameBytes " + LocalRing.FAST.maxFrameBytes()), refused.getMessage());
      failureOf(outcomes.get(0));
    }
  }

  @Test
  void ranksPassingDifferentLengthsFailInsteadOfMixingData() throws Exception {
    try (LocalRing ring = LocalRing.form(2, LocalRing.FAST)) {
      List<CompletableFuture<Void>> outcomes = ring.start(c -> {
        c.allReduceSum(FloatBuffer.allocate(10 + c.rank()));
        return null;
      });
      for (CompletableFuture<Void> outcome : outcomes) {
        CollectiveException error = failureOf(outcome);
        assertTrue(error.getMessage().contains("different lengths") || error.getMessage().contains("gave up"),
            error.getMessage());
      }
    }
  }

  private static CollectiveException failureOf(CompletableFuture<?> outcome) throws Exception {
    ExecutionException failed = assertThrows(ExecutionException.class, () -> outcome.get(30, TimeUnit.SECONDS));
    return assertInstanceOf(CollectiveException.class, failed.getCause());
  }
}
