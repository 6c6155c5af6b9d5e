package io.stagewise.trainer.collective;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One TCP connection of the ring, with the frame format spoken on it.
 *
 * <p>The channel is non-blocking and every wait goes through a selector with a deadline: blocking socket
 * channels ignore {@code SO_TIMEOUT}, and a write into a peer that stopped reading would otherwise hang forever.
 * Timeouts count inactivity, not total time, so a slow but live peer moving a large buffer never trips them.
 *
 * <p>A frame is a 16-byte little-endian header {@code kind, seq, count, length} followed by {@code length}
 * payload bytes. {@code seq} numbers the operations and {@code count} is the operation's element count, so
 * workers that call different operations, or the same one with different buffer lengths, fail loudly instead of
 * mixing data. Once the handshake has {@link #authenticate authenticated} the link, the header and every slice
 * of at most {@link #MAX_RECORD_BYTES} of the payload travel as records, each followed by its {@link FrameMac}
 * tag, and a receiver checks a record's tag before it looks at the record: a frame altered, replayed or
 * reordered on the way fails the operation, naming the peer, before a byte of it reaches a sum.
 *
 * <p>An {@link FrameKind#ABORT} frame carries the rank that gave up (in {@code count}) and its reason; a
 * {@link FrameKind#STALLED} notice (no payload) says the sender timed out waiting on its own left neighbour.
 *
 * <p>Each link is used by one thread at a time: the right link by the sending thread, the left link by the
 * caller's thread.
 */
final class PeerLink implements Closeable {

  static final int HEADER_BYTES = 16;
  /** Payload bytes per authenticated record; a frame's payload is cut into records of this size. */
  static final int MAX_RECORD_BYTES = 256 * 1024;
  private static final int MAX_REASON_BYTES = 4096;

  /** What a frame belongs to; the code is what goes on the wire. */
  enum FrameKind {
    ALL_REDUCE("all-reduce"), BROADCAST("broadcast"), BARRIER("barrier"), ABORT("abort"),
    STALLED("stall notice");

    private final String label;

    FrameKind(String label) {
      this.label = label;
    }

    int code() {
      return ordinal() + 1;
    }

    static String labelOf(int code) {
      FrameKind[] kinds = values();
      return code >= 1 && code <= kinds.length ? kinds[code - 1].label : "unknown frame kind " + code;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** A wait on this link outlived its timeout. */
  static class LinkTimeoutException extends CollectiveException {
    LinkTimeoutException(String message) {
      super(message);
    }
  }

  /** The peer started no frame within the timeout: it is dead, stalled, or itself waiting on someone. */
  static final class FrameTimeoutException extends LinkTimeoutException {
    FrameTimeoutException(String message) {
      super(message);
    }
  }

  /** The peer sent a {@link FrameKind#STALLED} notice: it is alive, and a rank further up the ring is not. */
  static final class StallNoticeException extends CollectiveException {
    StallNoticeException(String message) {
      super(message);
    }
  }

  /** The peer sent an {@link FrameKind#ABORT} frame: some rank of the ring gave up. */
  static final class AbortReceivedException extends CollectiveException {
    final int originRank;
    final String reason;

    AbortReceivedException(int originRank, String reason) {
      super("rank " + originRank + " gave up: " + reason);
      this.originRank = originRank;
      this.reason = reason;
    }
  }

  private final SocketChannel channel;
  private final Selector selector;
  private final SelectionKey key;
  private final ByteBuffer header = ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer sendTag = ByteBuffer.allocateDirect(FrameMac.TAG_BYTES);
  private final ByteBuffer receiveTag = ByteBuffer.allocateDirect(FrameMac.TAG_BYTES);
  private volatile String peer;
  /** Header and payload bytes of the outgoing frame still to write; an abort may only be sent at zero. */
  private volatile long outgoingRemaining;
  /** Set by the handshake before the link is handed on; without them records travel bare. */
  private FrameMac sendMac;
  private FrameMac receiveMac;

  PeerLink(SocketChannel channel, String peer) throws IOException {
    this.channel = channel;
    this.peer = peer;
    channel.configureBlocking(false);
    this.selector = Selector.open();
    this.key = channel.register(selector, 0);
  }

  /** How errors name the other end, e.g. {@code rank 2 at /10.0.0.7:40123}. */
  String peer() {
    return peer;
  }

  void rename(String newName) {
    this.peer = newName;
  }

  /** From now on, records written are sealed with {@code send} and records read are checked by {@code receive}. */
  void authenticate(FrameMac send, FrameMac receive) {
    this.sendMac = send;
    this.receiveMac = receive;
  }

  boolean atFrameBoundary() {
    return outgoingRemaining == 0;
  }

  void read(ByteBuffer dst, long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (dst.hasRemaining()) {
      int n;
      try {
        n = channel.read(dst);
      } catch (IOException e) {
        throw new CollectiveException("lost the connection from " + peer + ": " + e.getMessage(), e);
      }
      if (n < 0) {
        throw new CollectiveException(peer + " closed the connection");
      }
      if (n > 0) {
        deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      } else {
        await(SelectionKey.OP_READ, deadline, timeoutMillis, "sent nothing");
      }
    }
  }

  void write(ByteBuffer src, long timeoutMillis) {
    write(new ByteBuffer[] {src}, timeoutMillis);
  }

  private void write(ByteBuffer[] srcs, long timeoutMillis) {
    ByteBuffer last = srcs[srcs.length - 1];
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (last.hasRemaining()) {
      long n;
      try {
        n = channel.write(srcs);
      } catch (IOException e) {
        throw new CollectiveException("lost the connection to " + peer + ": " + e.getMessage(), e);
      }
      if (n > 0) {
        deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      } else {
        await(SelectionKey.OP_WRITE, deadline, timeoutMillis, "accepted no data");
      }
    }
  }

  /** Writes one record of a frame (the header or a payload slice), followed by its tag on an authenticated link. */
  void writeRecord(ByteBuffer record, long timeoutMillis) {
    int bytes = record.remaining();
    if (sendMac == null) {
      write(record, timeoutMillis);
    } else {
      sendMac.seal(record, sendTag);
      // One gathering write: a separate small write for the tag would cost a packet of its own.
      write(new ByteBuffer[] {record, sendTag}, timeoutMillis);
    }
    outgoingRemaining -= bytes;
  }

  /** Reads one record of a frame into {@code dst}'s remaining bytes and, on an authenticated link, checks it. */
  void readRecord(ByteBuffer dst, long timeoutMillis) {
    int start = dst.position();
    read(dst, timeoutMillis);
    checkTag(dst.duplicate().position(start).limit(dst.position()), timeoutMillis);
  }

  private void checkTag(ByteBuffer record, long timeoutMillis) {
    if (receiveMac == null) {
      return;
    }
    receiveTag.clear();
    read(receiveTag, timeoutMillis);
    receiveTag.flip();
    long position = receiveMac.records();
    if (!receiveMac.verify(record, receiveTag)) {
      throw new CollectiveException(peer + " sent a frame that failed authentication (record " + position
          + " of the link): its bytes were altered, replayed or reordered on the way, or it does not come from"
          + " this ring's job and stage attempt");
    }
  }

  void writeHeader(FrameKind kind, int seq, int count, int length, long timeoutMillis) {
    header.clear();
    header.putInt(kind.code()).putInt(seq).putInt(count).putInt(length).flip();
    outgoingRemaining = HEADER_BYTES + (long) length;
    writeRecord(header, timeoutMillis);
  }

  void writeStallNotice(int rank, int seq, long timeoutMillis) {
    writeHeader(FrameKind.STALLED, seq, rank, 0, timeoutMillis);
  }

  void writeAbort(int originRank, int seq, String reason, long timeoutMillis) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(text.length, MAX_REASON_BYTES);
    writeHeader(FrameKind.ABORT, seq, originRank, length, timeoutMillis);
    writeRecord(ByteBuffer.wrap(text, 0, length), timeoutMillis);
  }

  /**
   * Reads the next frame header and checks it is the one this rank expects. Abort frames, stall notices and a
   * peer that starts no frame within the timeout surface as their own exception types, which the ring uses to
   * work out which rank to blame.
   */
  void expectHeader(FrameKind kind, int seq, int count, int length, long timeoutMillis, int maxFrameBytes) {
    readHeader(kind.toString(), timeoutMillis, maxFrameBytes);
    int gotKind = header.getInt();
    int gotSeq = header.getInt();
    int gotCount = header.getInt();
    int gotLength = header.getInt();
    if (gotKind != kind.code() || gotSeq != seq || gotCount != count || gotLength != length) {
      throw new CollectiveException(peer + " sent " + FrameKind.labelOf(gotKind) + " #" + gotSeq + " over "
          + gotCount + " elements (" + gotLength + " bytes) where this rank expected " + kind + " #" + seq
          + " over " + count + " elements (" + length + " bytes): the ranks called different operations"
          + " or passed buffers of different lengths");
    }
  }

  /** Waits for the peer to explain itself after a failure: always ends in an exception. */
  void expectNotice(long timeoutMillis, int maxFrameBytes) {
    readHeader("abort", timeoutMillis, maxFrameBytes);
    throw new CollectiveException(peer + " sent " + FrameKind.labelOf(header.getInt())
        + " after this rank had given up waiting for it");
  }

  private void readHeader(String awaited, long timeoutMillis, int maxFrameBytes) {
    header.clear();
    try {
      read(header, timeoutMillis);
    } catch (LinkTimeoutException e) {
      if (header.position() == 0) {
        throw new FrameTimeoutException(peer + " stopped answering: no " + awaited + " frame for "
            + timeoutMillis + " ms");
      }
      throw e;
    }
    header.flip();
    checkTag(header, timeoutMillis);
    int kind = header.getInt(0);
    int count = header.getInt(8);
    int length = header.getInt(12);
    if (length < 0 || length > maxFrameBytes) {
      throw new CollectiveException(peer + " announced a frame of " + Integer.toUnsignedString(length)
          + " bytes, above maxFrameBytes " + maxFrameBytes);
    }
    if (kind == FrameKind.ABORT.code()) {
      throw new AbortReceivedException(count, readReason(length, timeoutMillis));
    }
    if (kind == FrameKind.STALLED.code()) {
      throw new StallNoticeException(peer + " is alive but stuck waiting on its own left neighbour");
    }
  }

  private String readReason(int length, long timeoutMillis) {
    if (length > MAX_REASON_BYTES) {
      throw new CollectiveException(peer + " sent an abort reason of " + length + " bytes, above "
          + MAX_REASON_BYTES);
    }
    ByteBuffer text = ByteBuffer.allocate(length);
    readRecord(text, timeoutMillis);
    return new String(text.array(), StandardCharsets.UTF_8);
  }

  private void await(int op, long deadline, long timeoutMillis, String silence) {
    if (Thread.currentThread().isInterrupted()) {
      throw new CollectiveException("interrupted while waiting on " + peer);
    }
    long waitMillis = (deadline - System.nanoTime()) / 1_000_000L;
    if (waitMillis <= 0) {
      throw new LinkTimeoutException(peer + " " + silence + " for " + timeoutMillis + " ms");
    }
    try {
      key.interestOps(op);
      selector.select(waitMillis);
      selector.selectedKeys().clear();
    } catch (IOException | CancelledKeyException | ClosedSelectorException e) {
      throw new CollectiveException("waiting on " + peer + " failed: " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing is best effort; the channel below is what matters
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // already broken: nothing more to release
    }
  }
}
