package io.stagewise.trainer.collective;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.UnaryOperator;

/**
 * A man in the middle on one link of a real ring: it accepts the connector's TCP connection, opens its own to
 * the real acceptor and pumps bytes both ways, so the handshake between the two ranks goes through untouched.
 * In the connector-to-acceptor stream, the {@code length} bytes at {@code offset} are held back until all have
 * arrived and forwarded as {@code rewrite} returns them (same length).
 */
final class TamperingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final long offset;
  private final int length;
  private final UnaryOperator<byte[]> rewrite;
  private volatile Socket client;
  private volatile Socket upstream;

  TamperingProxy(InetSocketAddress target, long offset, int length, UnaryOperator<byte[]> rewrite) {
    this.target = target;
    this.offset = offset;
    this.length = length;
    this.rewrite = rewrite;
    try {
      this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon("proxy-accept", this::serve);
  }

  /** Where the connector should believe its right neighbour listens. */
  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  private void serve() {
    try {
      client = server.accept();
      upstream = new Socket(target.getAddress(), target.getPort());
      daemon("proxy-to-connector", () -> pump(upstream, client, false));
      pump(client, upstream, true);
    } catch (IOException e) {
      // the ring closed the connection: nothing more to forward
    } finally {
      close();
    }
  }

  private void pump(Socket from, Socket to, boolean tamper) {
    long spanStart = tamper ? offset : Long.MAX_VALUE;
    long spanEnd = spanStart + (tamper ? length : 0);
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      byte[] chunk = new byte[64 * 1024];
      byte[] held = new byte[tamper ? length : 0];
      long position = 0;
      for (int n; (n = in.read(chunk)) >= 0; position += n) {
        long end = position + n;
        // [position, end) splits into the part before the span, the part in it, and the part after it.
        int before = (int) Math.max(0, Math.min(end, spanStart) - position);
        out.write(chunk, 0, before);
        int inSpan = (int) Math.max(0, Math.min(end, spanEnd) - Math.max(position, spanStart));
        if (inSpan > 0) {
          System.arraycopy(chunk, before, held, (int) (position + before - spanStart), inSpan);
          if (position + before + inSpan == spanEnd) {
            out.write(rewritten(held));
          }
        }
        out.write(chunk, before + inSpan, n - before - inSpan);
        out.flush();
      }
    } catch (IOException e) {
      // one side hung up; closing both ends tells the other
    } finally {
      close();
    }
  }

  private byte[] rewritten(byte[] held) {
    byte[] bytes = rewrite.apply(held.clone());
    if (bytes.length != length) {
      throw new IllegalStateException("the rewrite changed the span's length to " + bytes.length);
    }
    return bytes;
  }

  /** Flips the lowest bit of one byte. */
  static UnaryOperator<byte[]> flipByte(int index) {
    return bytes -> {
      bytes[index] ^= 1;
      return bytes;
    };
  }

  /** Replaces the second half of the span by a copy of the first. */
  static UnaryOperator<byte[]> replayFirstHalf() {
    return bytes -> {
      int half = bytes.length / 2;
      System.arraycopy(bytes, 0, bytes, half, half);
      return bytes;
    };
  }

  /** Exchanges the two halves of the span. */
  static UnaryOperator<byte[]> swapHalves() {
    return bytes -> {
      int half = bytes.length / 2;
      byte[] swapped = new byte[bytes.length];
      System.arraycopy(bytes, half, swapped, 0, half);
      System.arraycopy(bytes, 0, swapped, half, half);
      return swapped;
    };
  }

  @Override
  public void close() {
    for (AutoCloseable closeable : new AutoCloseable[] {server, client, upstream}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception ignored) {
        // best effort: the test is over or the ring has given up
      }
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }
}
