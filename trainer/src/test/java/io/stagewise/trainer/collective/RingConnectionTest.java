package io.stagewise.trainer.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Forming the ring: only the left neighbour holding the job secret gets in, and strangers do not stop it. */
class RingConnectionTest {

  private static final CollectiveOptions OPTIONS = new CollectiveOptions(Duration.ofSeconds(20),
      Duration.ofMillis(800), CollectiveOptions.MIN_BUCKET_BYTES, CollectiveOptions.MIN_BUCKET_BYTES);

  @Test
  void refusesStrangersAndStillFormsAWorkingRing() throws Exception {
    List<ServerSocket> listeners = LocalRing.listen(3);
    List<InetSocketAddress> peers = LocalRing.addresses(listeners);
    InetSocketAddress target = peers.get(1);
    byte[] wrongSecret = "not-the-job-secret-but-long-enough".getBytes(StandardCharsets.US_ASCII);
    try (Socket garbage = new Socket(); Socket silent = new Socket()) {
      // Queued ahead of rank 0, the real left neighbour of rank 1.
      garbage.connect(target);
      byte[] noise = new byte[200];
      new Random(7).nextBytes(noise);
      garbage.getOutputStream().write(noise);
      silent.connect(target);
      CompletableFuture<PeerLink> impostor = CompletableFuture.supplyAsync(
          () -> new RingHandshake(0, peers, wrongSecret, 0, OPTIONS).connectRight());
      Thread.sleep(300);

      try (LocalRing ring = LocalRing.form(listeners, OPTIONS)) {
        List<float[]> sums = ring.onEveryRank(c -> {
          FloatBuffer buffer = FloatBuffer.wrap(new float[] {c.rank(), 1});
          c.allReduceSum(buffer);
          return buffer.array();
        });
        sums.forEach(sum -> assertArrayEquals(new float[] {3, 3}, sum));
      }

      assertEquals(RingHandshake.HELLO_BYTES, bytesUntilClosed(garbage), "the garbage writer was not shut out");
      assertEquals(RingHandshake.HELLO_BYTES, bytesUntilClosed(silent), "the silent stranger was not shut out");
      CompletableFuture<PeerLink> refused = impostor;
      Exception failure = assertThrows(Exception.class, () -> refused.get(10, TimeUnit.SECONDS));
      assertTrue(failure.getCause() instanceof CollectiveException, String.valueOf(failure.getCause()));
    }
  }

  @Test
  void aRankWithTheWrongSecretCannotJoin() {
    List<ServerSocket> listeners = LocalRing.listen(2);
    List<InetSocketAddress> peers = LocalRing.addresses(listeners);
    CollectiveOptions quick = new CollectiveOptions(Duration.ofSeconds(2), Duration.ofMillis(500),
        CollectiveOptions.MIN_BUCKET_BYTES, CollectiveOptions.MIN_BUCKET_BYTES);
    byte[] wrongSecret = "another-secret-entirely-0123456789".getBytes(StandardCharsets.US_ASCII);
    CompletableFuture<RingAllReduce> honest = CompletableFuture.supplyAsync(
        () -> RingAllReduce.connect(listeners.get(0), 0, peers, LocalRing.SECRET, quick));
    CollectiveException intruder = assertThrows(CollectiveException.class,
        () -> RingAllReduce.connect(listeners.get(1), 1, peers, wrongSecret, quick));
    assertTrue(intruder.getMessage().contains("rank 1 could not join the ring"), intruder.getMessage());
    Exception failure = assertThrows(Exception.class, () -> honest.get(10, TimeUnit.SECONDS));
    assertTrue(failure.getCause().getMessage().contains("rank 1 at " + peers.get(1)),
        failure.getCause().getMessage());
  }

  /**
   * Spark reruns a failed barrier stage with the same job secret, and a task of the failed attempt may live on.
   * Such a zombie, queued at rank 1 ahead of the current rank 0, is turned away and the current ring forms.
   */
  @Test
  void aTaskOfAnEarlierAttemptCannotJoinTheCurrentRing() throws Exception {
    List<ServerSocket> listeners = LocalRing.listen(3);
    List<InetSocketAddress> peers = LocalRing.addresses(listeners);
    CompletableFuture<PeerLink> zombie = CompletableFuture.supplyAsync(
        () -> new RingHandshake(0, peers, LocalRing.SECRET, 1, OPTIONS).connectRight());
    Thread.sleep(300);

    try (LocalRing ring = LocalRing.form(listeners, java.util.Collections.nCopies(3, peers),
        java.util.Collections.nCopies(3, OPTIONS), 2)) {
      List<float[]> sums = ring.onEveryRank(c -> {
        FloatBuffer buffer = FloatBuffer.wrap(new float[] {c.rank(), 1});
        c.allReduceSum(buffer);
        return buffer.array();
      });
      sums.forEach(sum -> assertArrayEquals(new float[] {3, 3}, sum));
    }
    Exception refused = assertThrows(Exception.class, () -> zombie.get(10, TimeUnit.SECONDS));
    assertInstanceOf(CollectiveException.class, refused.getCause());
    assertTrue(refused.getCause().getMessage().contains("belongs to stage attempt 2, this rank to attempt 1"),
        refused.getCause().getMessage());
  }

  /** The other way round: a current rank whose right neighbour's port is held by a zombie sends it nothing. */
  @Test
  void aRankDoesNotConnectToAListenerOfAnotherAttempt() throws Exception {
    List<ServerSocket> listeners = LocalRing.listen(2);
    List<InetSocketAddress> peers = LocalRing.addresses(listeners);
    CollectiveOptions quick = new CollectiveOptions(Duration.ofSeconds(3), Duration.ofMillis(500),
        CollectiveOptions.MIN_BUCKET_BYTES, CollectiveOptions.MIN_BUCKET_BYTES);
    CompletableFuture<PeerLink> zombie = CompletableFuture.supplyAsync(
        () -> new RingHandshake(1, peers, LocalRing.SECRET, 0, quick).acceptLeft(listeners.get(1).getChannel()));
    try {
      CollectiveException refused = assertThrows(CollectiveException.class,
          () -> new RingHandshake(0, peers, LocalRing.SECRET, 1, quick).connectRight());
      assertTrue(refused.getMessage().contains("handshake with rank 1 at " + peers.get(1) + " failed: the"
          + " listener belongs to stage attempt 0, this rank to attempt 1"), refused.getMessage());
      Exception unjoined = assertThrows(Exception.class, () -> zombie.get(10, TimeUnit.SECONDS));
      assertTrue(unjoined.getCause().getMessage().contains("did not connect within connectTimeout"),
          unjoined.getCause().getMessage());
    } finally {
      listeners.forEach(RingConnectionTest::closeQuietly);
    }
  }

  /**
   * The attempt is bound into the keys, not merely stated: a forger holding the secret writes a PROOF by hand
   * that claims the current attempt 2 but is keyed with attempt {@code keyAttempt}. Only the current key gets an
   * ACK (which also shows the hand-written proof is otherwise right); a stale one is refused.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void theAttemptIsBoundIntoTheProofNotOnlyStatedInIt(int keyAttempt) throws Exception {
    List<ServerSocket> listeners = LocalRing.listen(2);
    List<InetSocketAddress> peers = LocalRing.addresses(listeners);
    CollectiveOptions quick = new CollectiveOptions(Duration.ofSeconds(3), Duration.ofSeconds(2),
        CollectiveOptions.MIN_BUCKET_BYTES, CollectiveOptions.MIN_BUCKET_BYTES);
    CompletableFuture<PeerLink> acceptor = CompletableFuture.supplyAsync(() -> new RingHandshake(1, peers,
        LocalRing.SECRET, 2, quick).acceptLeft(listeners.get(1).getChannel()));
    try (Socket forger = new Socket()) {
      forger.connect(peers.get(1));
      forger.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(forger.getInputStream());
      ByteBuffer hello = ByteBuffer.allocate(RingHandshake.HELLO_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      in.readFully(hello.array());
      int flags = hello.getInt(20);
      byte[] acceptorNonce = Arrays.copyOfRange(hello.array(), 24, RingHandshake.HELLO_BYTES);
      byte[] connectorNonce = new byte[32];
      byte[] key = FrameMac.hmac(LocalRing.SECRET, "stagewise ring attempt",
          ByteBuffer.allocate(Integer.BYTES).putInt(keyAttempt).array());
      byte[] ids = ByteBuffer.allocate(16).putInt(0).putInt(1).putInt(2).putInt(flags).array();
      ByteBuffer proof = ByteBuffer.allocate(RingHandshake.PROOF_BYTES).order(ByteOrder.LITTLE_ENDIAN)
          .putInt(hello.getInt(0)).putInt(hello.getInt(4)).putInt(0).putInt(2).putInt(2).putInt(flags)
          .put(connectorNonce).put(FrameMac.hmac(key, "connect", acceptorNonce, connectorNonce, ids));
      forger.getOutputStream().write(proof.array());

      if (keyAttempt == 2) {
        in.readFully(new byte[RingHandshake.ACK_BYTES]);
        acceptor.get(10, TimeUnit.SECONDS).close();
      } else {
        assertEquals(0, bytesUntilClosed(forger), "the acceptor answered a proof keyed with attempt 1");
        Exception unjoined = assertThrows(Exception.class, () -> acceptor.get(10, TimeUnit.SECONDS));
        assertTrue(unjoined.getCause().getMessage().contains("did not connect within connectTimeout"),
            unjoined.getCause().getMessage());
      }
    } finally {
      listeners.forEach(RingConnectionTest::closeQuietly);
    }
  }

  /** Frame authentication changes the wire format, so ranks that disagree on it must not form a ring. */
  @Test
  void ranksThatDisagreeOnFrameAuthenticationDoNotFormARing() {
    List<ServerSocket> listeners = LocalRing.listen(2);
    List<InetSocketAddress> peers = LocalRing.addresses(listeners);
    CollectiveOptions quick = new CollectiveOptions(Duration.ofSeconds(2), Duration.ofMillis(500),
        CollectiveOptions.MIN_BUCKET_BYTES, CollectiveOptions.MIN_BUCKET_BYTES);
    CompletableFuture<RingAllReduce> authenticated = CompletableFuture.supplyAsync(
        () -> RingAllReduce.connect(listeners.get(0), 0, peers, LocalRing.SECRET, quick));
    CompletableFuture<RingAllReduce> bare = CompletableFuture.supplyAsync(() -> RingAllReduce.connect(
        listeners.get(1), 1, peers, LocalRing.SECRET, quick.withAuthenticateFrames(false)));
    // Either rank may read the other's greeting first; the one that does names the mismatch, and the other may
    // only see the connection dropped. Neither may join.
    List<String> failures = new ArrayList<>();
    for (CompletableFuture<RingAllReduce> rank : List.of(authenticated, bare)) {
      Exception failure = assertThrows(Exception.class, () -> rank.get(10, TimeUnit.SECONDS));
      assertInstanceOf(CollectiveException.class, failure.getCause());
      failures.add(failure.getCause().getMessage());
    }
    assertTrue(failures.stream().anyMatch(m -> m.contains(" frames and this rank do")
        && m.contains("every rank needs the same CollectiveOptions.authenticateFrames")), failures.toString());
  }

  @Test
  void rejectsBadArgumentsAndClosesTheListener() throws IOException {
    List<InetSocketAddress> peers = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 2));
    ServerSocket listener = RingAllReduce.listen(InetAddress.getLoopbackAddress());
    IllegalArgumentException badRank = assertThrows(IllegalArgumentException.class,
        () -> RingAllReduce.connect(listener, 2, peers, LocalRing.SECRET, OPTIONS));
    assertTrue(badRank.getMessage().startsWith("rank must be in [0, 2)"), badRank.getMessage());
    assertTrue(listener.isClosed());

    ServerSocket another = RingAllReduce.listen(InetAddress.getLoopbackAddress());
    IllegalArgumentException shortSecret = assertThrows(IllegalArgumentException.class,
        () -> RingAllReduce.connect(another, 0, peers, new byte[8], OPTIONS));
    assertTrue(shortSecret.getMessage().startsWith("secret must be at least 16 bytes"), shortSecret.getMessage());

    IllegalArgumentException alone = assertThrows(IllegalArgumentException.class, () -> RingAllReduce.connect(
        RingAllReduce.listen(InetAddress.getLoopbackAddress()), 0, peers.subList(0, 1), LocalRing.SECRET,
        OPTIONS));
    assertTrue(alone.getMessage().contains("SingleWorkerCollective"), alone.getMessage());

    try (ServerSocket plain = new ServerSocket(0)) {
      assertThrows(IllegalArgumentException.class,
          () -> RingAllReduce.connect(plain, 0, peers, LocalRing.SECRET, OPTIONS));
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // the test's verdict does not depend on it
    }
  }

  /** Reads what the acceptor sends until it hangs up; fails if it never does. */
  private static int bytesUntilClosed(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    InputStream in = socket.getInputStream();
    int total = 0;
    try {
      for (int n; (n = in.read(new byte[256])) >= 0; ) {
        total += n;
      }
    } catch (java.net.SocketException reset) {
      // a refusal may also arrive as a reset once the hello has been read
    }
    return total;
  }
}
