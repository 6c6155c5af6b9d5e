package io.stagewise.trainer.collective;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forms one rank's two links: it connects to its right neighbour and accepts its left neighbour, both proving
 * they hold the job secret and belong to the same stage attempt by HMAC-SHA256 challenge–response.
 *
 * <pre>
 *   K = HMAC(secret, "stagewise ring attempt" | attempt)           the attempt key; ids = connector rank,
 *                                                                   acceptor rank, world size, flags
 *   acceptor  → connector  HELLO  magic, version, acceptor rank, world size, attempt, flags, nonce A
 *   connector → acceptor   PROOF  magic, version, connector rank, world size, attempt, flags, nonce C,
 *                                 HMAC(K, "connect" | A | C | ids)
 *   acceptor  → connector  ACK    HMAC(K, "accept"  | A | C | ids)
 *   then both              frame keys HMAC(K, "frames connector to acceptor" | A | C | ids) and the reverse
 * </pre>
 *
 * The secret itself never crosses the wire, fresh nonces stop replays, and the ACK stops a stranger squatting on
 * the right neighbour's port from receiving gradients. A Spark stage retry reuses the job secret, so the attempt
 * is bound into every key: a zombie task of an earlier attempt still holds the secret, but neither its proof nor
 * its frames verify in the new attempt's ring. The frame keys depend on both nonces, so each connection's records
 * (see {@link FrameMac}) are worthless on any other. Flag bit 0 says frames are authenticated; ranks must agree.
 *
 * <p>The acceptor refuses (closes and logs) any connection that fails the exchange and keeps accepting until its
 * real left neighbour arrives or the connect timeout ends, so a port scanner or a stale worker from an earlier
 * attempt cannot stop the ring from forming.
 */
final class RingHandshake {

  private static final Logger LOG = LoggerFactory.getLogger(RingHandshake.class);

  static final int SOCKET_BUFFER_BYTES = 4 << 20;
  static final int MIN_SECRET_BYTES = 16;
  private static final int MAGIC = 0x53575247; // "SWRG"
  private static final int VERSION = 2;
  private static final int AUTHENTICATED_FRAMES = 1;
  private static final int NONCE_BYTES = 32;
  private static final int MAC_BYTES = 32;
  private static final int GREETING_BYTES = 24;
  static final int HELLO_BYTES = GREETING_BYTES + NONCE_BYTES;
  static final int PROOF_BYTES = GREETING_BYTES + NONCE_BYTES + MAC_BYTES;
  static final int ACK_BYTES = MAC_BYTES;
  /** A silent stranger holds the listener at most this long before the next connection is looked at. */
  private static final long MAX_HANDSHAKE_MILLIS = 10_000;
  private static final long CONNECT_RETRY_MILLIS = 100;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int rank;
  private final List<InetSocketAddress> peers;
  private final int attempt;
  private final byte[] attemptKey;
  private final int flags;
  private final CollectiveOptions options;
  private final long deadlineNanos;

  RingHandshake(int rank, List<InetSocketAddress> peers, byte[] secret, int attempt, CollectiveOptions options) {
    this.rank = rank;
    this.peers = peers;
    this.attempt = attempt;
    this.attemptKey = FrameMac.hmac(secret, "stagewise ring attempt", ByteBuffer.allocate(Integer.BYTES)
        .putInt(attempt).array());
    this.flags = options.authenticateFrames() ? AUTHENTICATED_FRAMES : 0;
    this.options = options;
    this.deadlineNanos = System.nanoTime() + options.connectTimeout().toNanos();
  }

  /** How errors name a peer: its rank and the listening address it published. */
  String describe(int peerRank) {
    return "rank " + peerRank + " at " + peers.get(peerRank);
  }

  /** The two links of a rank that has joined the ring. */
  record Links(PeerLink left, PeerLink right) {
  }

  /**
   * Connects right and accepts left at the same time: every rank does both, so doing them one after the other
   * would leave each rank waiting for a neighbour that is itself waiting. Closes {@code server} on failure.
   */
  Links join(ServerSocketChannel server) {
    ExecutorService acceptor = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "stagewise-ring-accept-rank-" + rank);
      thread.setDaemon(true);
      return thread;
    });
    Future<PeerLink> accepted = acceptor.submit(() -> acceptLeft(server));
    PeerLink right = null;
    try {
      right = connectRight();
      return new Links(accepted.get(), right);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw joinFailure(new CollectiveException("interrupted", e), right, accepted, server);
    } catch (ExecutionException e) {
      CollectiveException cause = e.getCause() instanceof CollectiveException collective ? collective
          : new CollectiveException("unexpected failure: " + e.getCause(), e.getCause());
      throw joinFailure(cause, right, accepted, server);
    } catch (CollectiveException e) {
      throw joinFailure(e, right, accepted, server);
    } finally {
      acceptor.shutdownNow();
    }
  }

  private CollectiveException joinFailure(CollectiveException cause, PeerLink right, Future<PeerLink> accepted,
      ServerSocketChannel server) {
    if (right != null) {
      right.close();
    }
    try {
      server.close(); // stops a pending accept
      accepted.get(1, TimeUnit.SECONDS).close();
    } catch (Exception ignored) {
      // the accept failed or never finished: nothing to release
    }
    return new CollectiveException("rank " + rank + " could not join the ring: " + cause.getMessage(), cause);
  }

  PeerLink connectRight() {
    int right = (rank + 1) % peers.size();
    PeerLink link;
    try {
      link = new PeerLink(open(peers.get(right), right), describe(right));
    } catch (IOException e) {
      throw new CollectiveException("could not set up the connection to " + describe(right) + ": " + e, e);
    }
    try {
      proveTo(link, right);
      return link;
    } catch (CollectiveException e) {
      link.close();
      throw new CollectiveException("handshake with " + describe(right) + " failed: " + e.getMessage()
          + " (do all ranks share the job secret and the same peer list?)", e);
    }
  }

  PeerLink acceptLeft(ServerSocketChannel server) {
    int left = Math.floorMod(rank - 1, peers.size());
    try (Selector selector = Selector.open()) {
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      while (true) {
        SocketChannel channel = server.accept();
        if (channel == null) {
          long waitMillis = remainingMillis();
          if (waitMillis <= 0) {
            throw new CollectiveException(describe(left) + " did not connect within connectTimeout "
                + options.connectTimeout());
          }
          selector.select(waitMillis);
          selector.selectedKeys().clear();
          continue;
        }
        String remote = String.valueOf(channel.getRemoteAddress());
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        PeerLink link = new PeerLink(channel, "unauthenticated peer " + remote);
        try {
          admit(link, left);
          link.rename(describe(left));
          return link;
        } catch (CollectiveException e) {
          LOG.warn("Rank {} refused a ring connection from {}: {}", rank, remote, e.getMessage());
          link.close();
        }
      }
    } catch (IOException e) {
      throw new CollectiveException("accepting " + describe(left) + " failed: " + e, e);
    }
  }

  private SocketChannel open(InetSocketAddress address, int peerRank) throws IOException {
    while (true) {
      SocketChannel channel = SocketChannel.open();
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
      channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
      try {
        channel.socket().connect(address, (int) Math.max(1, Math.min(Integer.MAX_VALUE, remainingMillis())));
        return channel;
      } catch (ConnectException e) {
        // The peer may still be starting up; retry until the connect timeout says otherwise.
        channel.close();
        if (remainingMillis() <= CONNECT_RETRY_MILLIS) {
          throw new CollectiveException("could not connect to " + describe(peerRank) + " within "
              + "connectTimeout " + options.connectTimeout() + ": " + e.getMessage(), e);
        }
        sleep(CONNECT_RETRY_MILLIS);
      } catch (IOException e) {
        channel.close();
        throw new CollectiveException("could not connect to " + describe(peerRank) + ": " + e, e);
      }
    }
  }

  /** Connector side: answers the acceptor's challenge and checks the acceptor's own proof. */
  private void proveTo(PeerLink link, int right) {
    ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    // The listener exists before its rank calls connect, and may be busy refusing strangers: the hello can
    // take as long as forming the ring may.
    link.read(hello, Math.max(1, remainingMillis()));
    hello.flip();
    long timeout = handshakeMillis();
    requireGreeting(hello.getInt(), hello.getInt());
    int helloRank = hello.getInt();
    int helloWorld = hello.getInt();
    requireSameAttempt("the listener", hello.getInt());
    requireSameFlags("the listener", hello.getInt());
    if (helloRank != right || helloWorld != peers.size()) {
      throw new CollectiveException("the listener says it is rank " + helloRank + " of " + helloWorld
          + ", expected rank " + right + " of " + peers.size());
    }
    byte[] acceptorNonce = new byte[NONCE_BYTES];
    hello.get(acceptorNonce);
    byte[] connectorNonce = nonce();
    ByteBuffer proof = greeting(PROOF_BYTES).put(connectorNonce)
        .put(mac("connect", acceptorNonce, connectorNonce, rank, right)).flip();
    link.write(proof, timeout);
    ByteBuffer ack = ByteBuffer.allocate(ACK_BYTES);
    link.read(ack, timeout);
    if (!MessageDigest.isEqual(ack.array(), mac("accept", acceptorNonce, connectorNonce, rank, right))) {
      throw new CollectiveException("the listener did not prove it holds the job secret of stage attempt "
          + attempt);
    }
    secureFrames(link, acceptorNonce, connectorNonce, rank, right, true);
  }

  /** Acceptor side: challenges a fresh connection and accepts it only from the left neighbour. */
  private void admit(PeerLink link, int left) {
    long timeout = handshakeMillis();
    byte[] acceptorNonce = nonce();
    link.write(greeting(HELLO_BYTES).put(acceptorNonce).flip(), timeout);
    ByteBuffer proof = ByteBuffer.allocate(PROOF_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    link.read(proof, timeout);
    proof.flip();
    requireGreeting(proof.getInt(), proof.getInt());
    int claimedRank = proof.getInt();
    int claimedWorld = proof.getInt();
    // Checked before the proof, which would fail anyway: the log should say why a stale task was refused.
    requireSameAttempt("it", proof.getInt());
    requireSameFlags("it", proof.getInt());
    byte[] connectorNonce = new byte[NONCE_BYTES];
    proof.get(connectorNonce);
    byte[] presented = new byte[MAC_BYTES];
    proof.get(presented);
    if (!MessageDigest.isEqual(presented, mac("connect", acceptorNonce, connectorNonce, claimedRank, rank))
        || claimedWorld != peers.size()) {
      throw new CollectiveException("it did not present the job secret of stage attempt " + attempt);
    }
    if (claimedRank != left) {
      throw new CollectiveException("it is rank " + claimedRank + ", not the left neighbour rank " + left);
    }
    ByteBuffer ack = ByteBuffer.wrap(mac("accept", acceptorNonce, connectorNonce, claimedRank, rank));
    link.write(ack, timeout);
    secureFrames(link, acceptorNonce, connectorNonce, claimedRank, rank, false);
  }

  /** Both ends derive the same two per-direction keys; the connector sends with one, the acceptor with the other. */
  private void secureFrames(PeerLink link, byte[] acceptorNonce, byte[] connectorNonce, int connectorRank,
      int acceptorRank, boolean connector) {
    if (!options.authenticateFrames()) {
      return;
    }
    byte[] ids = ids(connectorRank, acceptorRank);
    FrameMac toAcceptor = new FrameMac(FrameMac.hmac(attemptKey, "frames connector to acceptor", acceptorNonce,
        connectorNonce, ids));
    FrameMac toConnector = new FrameMac(FrameMac.hmac(attemptKey, "frames acceptor to connector", acceptorNonce,
        connectorNonce, ids));
    link.authenticate(connector ? toAcceptor : toConnector, connector ? toConnector : toAcceptor);
  }

  /** The fixed part of a HELLO or PROOF, in a buffer of {@code bytes} left open for the rest. */
  private ByteBuffer greeting(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(VERSION).putInt(rank)
        .putInt(peers.size()).putInt(attempt).putInt(flags);
  }

  private void requireSameAttempt(String who, int theirAttempt) {
    if (theirAttempt != attempt) {
      throw new CollectiveException(who + " belongs to stage attempt " + theirAttempt + ", this rank to attempt "
          + attempt + " (a task left over from another attempt?)");
    }
  }

  private void requireSameFlags(String who, int theirFlags) {
    if (theirFlags != flags) {
      throw new CollectiveException(who + (theirFlags == AUTHENTICATED_FRAMES ? " authenticates" : " does not"
          + " authenticate") + " frames and this rank " + (options.authenticateFrames() ? "does" : "does not")
          + ": every rank needs the same CollectiveOptions.authenticateFrames");
    }
  }

  private static void requireGreeting(int magic, int version) {
    if (magic != MAGIC) {
      throw new CollectiveException("it does not speak the Stagewise ring protocol (magic 0x"
          + Integer.toHexString(magic) + ")");
    }
    if (version != VERSION) {
      throw new CollectiveException("it speaks ring protocol version " + version + ", this rank " + VERSION);
    }
  }

  private byte[] mac(String label, byte[] acceptorNonce, byte[] connectorNonce, int connectorRank,
      int acceptorRank) {
    return FrameMac.hmac(attemptKey, label, acceptorNonce, connectorNonce, ids(connectorRank, acceptorRank));
  }

  private byte[] ids(int connectorRank, int acceptorRank) {
    return ByteBuffer.allocate(16).putInt(connectorRank).putInt(acceptorRank).putInt(peers.size()).putInt(flags)
        .array();
  }

  private static byte[] nonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  private long handshakeMillis() {
    long millis = Math.min(remainingMillis(), Math.min(options.ioTimeout().toMillis(), MAX_HANDSHAKE_MILLIS));
    if (millis <= 0) {
      throw new CollectiveException("connectTimeout " + options.connectTimeout() + " ran out");
    }
    return millis;
  }

  private long remainingMillis() {
    return (deadlineNanos - System.nanoTime()) / 1_000_000L;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CollectiveException("interrupted while forming the ring", e);
    }
  }
}
