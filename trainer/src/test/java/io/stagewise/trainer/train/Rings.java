package io.stagewise.trainer.train;

import io.stagewise.trainer.collective.Collective;
import io.stagewise.trainer.collective.CollectiveOptions;
import io.stagewise.trainer.collective.RingAllReduce;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Data-parallel groups of threads joined by a real loopback TCP ring, for the training tests. */
public final class Rings {

  private static final byte[] SECRET = "preference-ring-test-secret".getBytes(StandardCharsets.US_ASCII);
  private static final CollectiveOptions OPTIONS = new CollectiveOptions(Duration.ofSeconds(20),
      Duration.ofSeconds(60), CollectiveOptions.MIN_BUCKET_BYTES, 4 * CollectiveOptions.MIN_BUCKET_BYTES);

  private Rings() {
  }

  /** Runs {@code work} on W threads, rank r with the r-th member of a fresh ring; results by rank. */
  public static <T> List<T> run(int world, Function<Collective, T> work) throws Exception {
    List<ServerSocket> listeners = new ArrayList<>();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      ServerSocket listener = RingAllReduce.listen(InetAddress.getLoopbackAddress());
      listeners.add(listener);
      peers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
    }
    ExecutorService threads = Executors.newFixedThreadPool(world);
    try {
      List<Future<T>> running = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        int rank = r;
        running.add(threads.submit(() -> {
          try (Collective ring = RingAllReduce.connect(listeners.get(rank), rank, peers, SECRET, OPTIONS)) {
            return work.apply(ring);
          }
        }));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : running) {
        results.add(f.get());
      }
      return results;
    } finally {
      threads.shutdownNow();
      for (ServerSocket listener : listeners) {
        try {
          listener.close();
        } catch (IOException ignored) {
          // already closed by connect
        }
      }
    }
  }
}
