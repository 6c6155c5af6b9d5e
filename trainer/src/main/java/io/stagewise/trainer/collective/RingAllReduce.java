package io.stagewise.trainer.collective;

import io.stagewise.trainer.collective.PeerLink.AbortReceivedException;
import io.stagewise.trainer.collective.PeerLink.FrameKind;
import io.stagewise.trainer.collective.PeerLink.FrameTimeoutException;
import io.stagewise.trainer.collective.PeerLink.StallNoticeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ring all-reduce over TCP: W ranks, each connected to its right neighbour and accepted by its left one.
 *
 * <p>A buffer is reduced in buckets of {@link CollectiveOptions#bucketBytes()}; each bucket is split into W
 * chunks and goes through W−1 reduce-scatter steps (each rank sends one partial chunk right and adds the one
 * arriving from the left) and W−1 all-gather steps (each fully reduced chunk travels from its owner around the
 * ring). Every rank therefore sends and receives 2(W−1)/W of the buffer, whatever W is.
 *
 * <p>Chunk c is summed in ring order starting at rank c, and the all-gather copies the owner's bytes, so every
 * rank ends with bit-identical results and the optimizer steps cannot drift apart.
 *
 * <p>Sending runs on its own thread while the caller's thread receives and adds: a rank that first sent a whole
 * chunk and then received would deadlock the ring as soon as a chunk outgrows the socket buffers. Floats cross
 * the wire as little-endian bytes through direct staging buffers, in segments small enough to stay in cache
 * while they are added.
 *
 * <p>When an operation fails the rank sends an abort frame naming the cause to its right neighbour, which
 * forwards it, so every rank reports the rank that actually stopped (see {@link #blame}), then the ring closes.
 * A stalled peer is reported within ioTimeout × 1.25.
 */
public final class RingAllReduce implements Collective {

  private static final Logger LOG = LoggerFactory.getLogger(RingAllReduce.class);

  /** Floats staged per socket read or write, one authenticated record: small enough for L2 while being added. */
  static final int SEGMENT_FLOATS = PeerLink.MAX_RECORD_BYTES / Float.BYTES;
  private static final long ABORT_WRITE_MILLIS = 2_000;

  private final int rank;
  private final int worldSize;
  private final CollectiveOptions options;
  private final PeerLink left;
  private final PeerLink right;
  private final ExecutorService sender;
  private final long ioMillis;
  private final long graceMillis;
  private final ByteBuffer sendStage = stage();
  private final FloatBuffer sendFloats = sendStage.asFloatBuffer();
  private final ByteBuffer receiveStage = stage();
  private final FloatBuffer receiveFloats = receiveStage.asFloatBuffer();
  private final float[] incoming = new float[SEGMENT_FLOATS];
  private final float[] accumulated = new float[SEGMENT_FLOATS];
  private int seq;
  private CollectiveException failure;
  private boolean closed;

  private RingAllReduce(int rank, int worldSize, CollectiveOptions options, PeerLink left, PeerLink right) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.options = options;
    this.left = left;
    this.right = right;
    this.ioMillis = options.ioTimeout().toMillis();
    this.graceMillis = Math.max(1, ioMillis / 4);
    this.sender = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "stagewise-ring-send-rank-" + rank);
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Opens this rank's listening socket on an ephemeral port of {@code bind}, before the rendezvous, so that its
   * address can be shared with the other ranks. Pass it to {@link #connect}. {@code bind} should be the address
   * the other ranks will connect to, not the wildcard, so the ring is not offered on every interface.
   */
  public static ServerSocket listen(InetAddress bind) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      // Accepted sockets inherit the receive buffer; it must be set before the handshake fixes the window.
      server.setOption(StandardSocketOptions.SO_RCVBUF, RingHandshake.SOCKET_BUFFER_BYTES);
      server.bind(new InetSocketAddress(bind, 0), 64);
      return server.socket();
    } catch (IOException e) {
      server.close();
      throw e;
    }
  }

  /**
   * Joins the ring: connects to rank {@code (rank + 1) % W} and accepts rank {@code (rank − 1) % W} on
   * {@code listener}, refusing every other connection. Returns once both links are authenticated. The listener
   * is closed before this returns, whatever the outcome.
   *
   * @param listener this rank's socket from {@link #listen}
   * @param rank this rank, in {@code [0, peers.size())}
   * @param peers every rank's listening address, indexed by rank (W = {@code peers.size()} ≥ 2; a single
   *     worker uses {@link SingleWorkerCollective})
   * @param secret the job secret shared by all ranks, at least 16 bytes; it never goes on the wire
   * @param attempt which attempt at forming this group this is (Spark's stage attempt number), ≥ 0. Ranks only
   *     join a ring of their own attempt, so a leftover task of an earlier attempt, holding the same secret,
   *     can neither join nor inject frames
   * @throws CollectiveException if the ring does not form within {@link CollectiveOptions#connectTimeout()}
   */
  public static RingAllReduce connect(ServerSocket listener, int rank, List<InetSocketAddress> peers,
      byte[] secret, int attempt, CollectiveOptions options) {
    try (ServerSocket owned = Objects.requireNonNull(listener, "listener")) {
      validate(owned, rank, peers, secret, attempt, options);
      RingHandshake.Links links = new RingHandshake(rank, List.copyOf(peers), secret, attempt, options)
          .join(owned.getChannel());
      LOG.info("Rank {} joined a ring of {} (attempt {}): left {}, right {}", rank, peers.size(), attempt,
          links.left().peer(), links.right().peer());
      return new RingAllReduce(rank, peers.size(), options, links.left(), links.right());
    } catch (IOException e) {
      throw new CollectiveException("rank " + rank + " could not close its listener: " + e, e);
    }
  }

  /** {@link #connect(ServerSocket, int, List, byte[], int, CollectiveOptions)} for a group formed only once. */
  public static RingAllReduce connect(ServerSocket listener, int rank, List<InetSocketAddress> peers,
      byte[] secret, CollectiveOptions options) {
    return connect(listener, rank, peers, secret, 0, options);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return worldSize;
  }

  @Override
  public void allReduceSum(FloatBuffer buffer) {
    requireWritable(buffer);
    int base = buffer.position();
    int count = buffer.remaining();
    int bucketFloats = options.bucketBytes() / Float.BYTES;
    run(FrameKind.ALL_REDUCE, () -> {
      // An empty buffer still makes one (empty) round, so a rank passing a different length is caught.
      int offset = 0;
      do {
        int length = Math.min(bucketFloats, count - offset);
        reduceBucket(buffer, base + offset, length, count);
        offset += length;
      } while (offset < count);
    });
  }

  @Override
  public void broadcast(FloatBuffer buffer, int root) {
    requireWritable(buffer);
    if (root < 0 || root >= worldSize) {
      throw new IllegalArgumentException("root must be in [0, " + worldSize + "), got " + root);
    }
    int base = buffer.position();
    int count = buffer.remaining();
    int frameFloats = options.bucketBytes() / Float.BYTES;
    int distance = Math.floorMod(rank - root, worldSize);
    run(FrameKind.BROADCAST, () -> {
      // Pipelined along the ring: each frame is forwarded while the next one is still arriving.
      List<Future<?>> sends = new ArrayList<>();
      int offset = 0;
      do {
        int start = base + offset;
        int length = Math.min(frameFloats, count - offset);
        if (distance > 0) {
          receive(FrameKind.BROADCAST, count, buffer, start, length, false);
        }
        if (distance < worldSize - 1) {
          sends.add(sendAsync(FrameKind.BROADCAST, count, buffer, start, length));
        }
        offset += length;
      } while (offset < count);
      for (Future<?> send : sends) {
        await(send);
      }
    });
  }

  @Override
  public void barrier() {
    run(FrameKind.BARRIER, () -> {
      // After W−1 hops, a token has reached every rank from every other one.
      for (int step = 0; step < worldSize - 1; step++) {
        int op = seq;
        Future<?> sent = sender.submit(() -> right.writeHeader(FrameKind.BARRIER, op, 0, 0, ioMillis));
        left.expectHeader(FrameKind.BARRIER, op, 0, 0, ioMillis, options.maxFrameBytes());
        await(sent);
      }
    });
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    releaseLinks();
  }

  private void releaseLinks() {
    sender.shutdownNow();
    left.close();
    right.close();
  }

  private void reduceBucket(FloatBuffer buffer, int from, int length, int count) {
    for (int step = 0; step < worldSize - 1; step++) {
      exchange(FrameKind.ALL_REDUCE, count, buffer, from, length, rank - step, rank - step - 1, true);
    }
    for (int step = 0; step < worldSize - 1; step++) {
      exchange(FrameKind.ALL_REDUCE, count, buffer, from, length, rank + 1 - step, rank - step, false);
    }
  }

  /** One ring step: chunk {@code sendChunk} goes right while chunk {@code receiveChunk} arrives from the left. */
  private void exchange(FrameKind kind, int count, FloatBuffer buffer, int from, int length, int sendChunk,
      int receiveChunk, boolean add) {
    int s = Math.floorMod(sendChunk, worldSize);
    int r = Math.floorMod(receiveChunk, worldSize);
    Future<?> sent = sendAsync(kind, count, buffer, chunkStart(from, length, s),
        chunkStart(from, length, s + 1) - chunkStart(from, length, s));
    receive(kind, count, buffer, chunkStart(from, length, r),
        chunkStart(from, length, r + 1) - chunkStart(from, length, r), add);
    await(sent);
  }

  /** Chunks differ by at most one element, so a buffer shorter than W simply leaves some chunks empty. */
  private int chunkStart(int from, int length, int chunk) {
    return from + (int) ((long) length * chunk / worldSize);
  }

  private Future<?> sendAsync(FrameKind kind, int count, FloatBuffer buffer, int start, int length) {
    int op = seq;
    return sender.submit(() -> {
      right.writeHeader(kind, op, count, length * Float.BYTES, ioMillis);
      for (int done = 0; done < length; ) {
        int n = Math.min(SEGMENT_FLOATS, length - done);
        sendFloats.put(0, buffer, start + done, n);
        sendStage.clear().limit(n * Float.BYTES);
        right.writeRecord(sendStage, ioMillis);
        done += n;
      }
    });
  }

  private void receive(FrameKind kind, int count, FloatBuffer buffer, int start, int length, boolean add) {
    left.expectHeader(kind, seq, count, length * Float.BYTES, ioMillis, options.maxFrameBytes());
    for (int done = 0; done < length; ) {
      int n = Math.min(SEGMENT_FLOATS, length - done);
      receiveStage.clear().limit(n * Float.BYTES);
      // Checked before it is used: a tampered record fails the operation and never reaches the buffer.
      left.readRecord(receiveStage, ioMillis);
      if (add) {
        receiveFloats.get(0, incoming, 0, n);
        buffer.get(start + done, accumulated, 0, n);
        for (int i = 0; i < n; i++) {
          accumulated[i] += incoming[i];
        }
        buffer.put(start + done, accumulated, 0, n);
      } else {
        buffer.put(start + done, receiveFloats, 0, n);
      }
      done += n;
    }
  }

  private void await(Future<?> send) {
    try {
      send.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CollectiveException("interrupted while sending to " + right.peer(), e);
    } catch (ExecutionException e) {
      throw unwrap(e);
    }
  }

  private void run(FrameKind kind, Runnable operation) {
    if (closed) {
      throw new IllegalStateException("rank " + rank + ": the collective is closed");
    }
    if (failure != null) {
      throw new CollectiveException("rank " + rank + ": the ring is broken by an earlier failure: "
          + failure.getMessage(), failure);
    }
    seq++;
    try {
      operation.run();
    } catch (CollectiveException e) {
      CollectiveException cause = blame(e);
      failure = new CollectiveException("rank " + rank + ": " + kind + " #" + seq + " failed: "
          + cause.getMessage(), cause);
      abort(cause);
      throw failure;
    }
  }

  /**
   * Finds the rank to blame when the left neighbour went quiet. When one rank stalls, every other rank ends up
   * waiting on its left neighbour and would time out blaming it; instead a rank that times out first sends a
   * stall notice right, then gives its left neighbour a grace of ioTimeout/4 to send one too. A neighbour that
   * sends a notice is alive, so the rank waits on for the verdict coming round the ring; one that stays silent
   * is the culprit, and this rank's abort (the verdict) travels round naming it.
   */
  private CollectiveException blame(CollectiveException e) {
    if (!(e instanceof FrameTimeoutException) && !(e instanceof StallNoticeException)) {
      return e;
    }
    int op = seq;
    sender.submit(() -> right.writeStallNotice(rank, op, ioMillis)); // best effort; abort() reaps it
    boolean leftAlive = e instanceof StallNoticeException;
    while (true) {
      try {
        left.expectNotice(leftAlive ? ioMillis : graceMillis, options.maxFrameBytes());
      } catch (StallNoticeException notice) {
        leftAlive = true;
      } catch (AbortReceivedException verdict) {
        return verdict;
      } catch (FrameTimeoutException silence) {
        return leftAlive
            ? new CollectiveException(left.peer() + " said it was stuck, then fell silent")
            : new CollectiveException(left.peer() + " stopped answering: nothing received for "
                + (ioMillis + graceMillis) + " ms");
      } catch (CollectiveException other) {
        return e;
      }
    }
  }

  /**
   * Tells the right neighbour why this rank gives up, then closes both links. An abort that came from the
   * left is passed on unchanged, so the reason names the rank that first saw the failure; it stops before
   * returning to the rank it started from.
   */
  private void abort(CollectiveException cause) {
    int origin = rank;
    String reason = cause.getMessage();
    if (cause instanceof AbortReceivedException received) {
      origin = received.originRank;
      reason = received.reason;
    }
    sender.shutdownNow();
    try {
      boolean idle = sender.awaitTermination(ABORT_WRITE_MILLIS, TimeUnit.MILLISECONDS);
      if (idle && right.atFrameBoundary() && origin != (rank + 1) % worldSize) {
        right.writeAbort(origin, seq, reason, Math.min(ioMillis, ABORT_WRITE_MILLIS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (CollectiveException e) {
      LOG.debug("Rank {} could not tell {} it is giving up: {}", rank, right.peer(), e.getMessage());
    }
    releaseLinks();
  }

  private static CollectiveException unwrap(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof CollectiveException collective) {
      return collective;
    }
    return new CollectiveException("unexpected failure: " + cause, cause);
  }

  private static void validate(ServerSocket listener, int rank, List<InetSocketAddress> peers, byte[] secret,
      int attempt, CollectiveOptions options) {
    Objects.requireNonNull(peers, "peers");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(options, "options");
    if (listener.getChannel() == null || !listener.isBound()) {
      throw new IllegalArgumentException("listener must be a bound socket from RingAllReduce.listen");
    }
    if (peers.size() < 2) {
      throw new IllegalArgumentException("peers must name at least 2 ranks (use SingleWorkerCollective for"
          + " one), got " + peers.size());
    }
    for (int i = 0; i < peers.size(); i++) {
      Objects.requireNonNull(peers.get(i), "peers[" + i + "]");
    }
    if (rank < 0 || rank >= peers.size()) {
      throw new IllegalArgumentException("rank must be in [0, " + peers.size() + "), got " + rank);
    }
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0, got " + attempt);
    }
    if (secret.length < RingHandshake.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("secret must be at least " + RingHandshake.MIN_SECRET_BYTES
          + " bytes, got " + secret.length);
    }
  }

  private static void requireWritable(FloatBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    if (buffer.isReadOnly()) {
      throw new IllegalArgumentException("buffer must be writable");
    }
  }

  private static ByteBuffer stage() {
    return ByteBuffer.allocateDirect(SEGMENT_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  }
}
