package io.stagewise.trainer.collective;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** W ranks of a real TCP ring on 127.0.0.1, each driven by its own thread, as the tests need them. */
final class LocalRing implements AutoCloseable {

  static final byte[] SECRET = "stagewise-test-job-secret-32-bytes".getBytes(StandardCharsets.US_ASCII);
  static final CollectiveOptions FAST = new CollectiveOptions(Duration.ofSeconds(20), Duration.ofSeconds(20),
      CollectiveOptions.MIN_BUCKET_BYTES, 4 * CollectiveOptions.MIN_BUCKET_BYTES);

  /** Work one rank does with its collective. */
  interface RankTask<T> {
    T run(RingAllReduce collective) throws Exception;
  }

  private final List<RingAllReduce> ranks;
  private final ExecutorService threads;

  private LocalRing(List<RingAllReduce> ranks, ExecutorService threads) {
    this.ranks = ranks;
    this.threads = threads;
  }

  /** Listening sockets for W ranks, opened before anyone connects, as the Spark rendezvous does. */
  static List<ServerSocket> listen(int world) {
    List<ServerSocket> listeners = new ArrayList<>();
    try {
      for (int r = 0; r < world; r++) {
        listeners.add(RingAllReduce.listen(InetAddress.getLoopbackAddress()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return listeners;
  }

  static List<InetSocketAddress> addresses(List<ServerSocket> listeners) {
    List<InetSocketAddress> peers = new ArrayList<>();
    for (ServerSocket listener : listeners) {
      peers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
    }
    return peers;
  }

  static LocalRing form(int world, CollectiveOptions options) {
    return form(listen(world), options);
  }

  static LocalRing form(List<ServerSocket> listeners, CollectiveOptions options) {
    return form(listeners, java.util.Collections.nCopies(listeners.size(), options));
  }

  /** Connects every rank concurrently, rank r with {@code options.get(r)}; fails if any rank cannot join. */
  static LocalRing form(List<ServerSocket> listeners, List<CollectiveOptions> options) {
    List<InetSocketAddress> peers = addresses(listeners);
    return form(listeners, java.util.Collections.nCopies(listeners.size(), peers), options, 0);
  }

  /**
   * Connects every rank concurrently as stage attempt {@code attempt}, rank r seeing the peer list
   * {@code peersByRank.get(r)} (a proxy may stand in for a neighbour) and using {@code options.get(r)}.
   */
  static LocalRing form(List<ServerSocket> listeners, List<List<InetSocketAddress>> peersByRank,
      List<CollectiveOptions> options, int attempt) {
    int world = listeners.size();
    ExecutorService threads = Executors.newFixedThreadPool(world);
    List<Future<RingAllReduce>> joining = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      int rank = r;
      joining.add(threads.submit(() -> RingAllReduce.connect(listeners.get(rank), rank, peersByRank.get(rank),
          SECRET, attempt, options.get(rank))));
    }
    List<RingAllReduce> ranks = new ArrayList<>();
    for (Future<RingAllReduce> join : joining) {
      ranks.add(get(join));
    }
    return new LocalRing(ranks, threads);
  }

  RingAllReduce rank(int r) {
    return ranks.get(r);
  }

  int world() {
    return ranks.size();
  }

  /** Runs {@code task} on every rank at once and returns the results by rank, rethrowing the first failure. */
  <T> List<T> onEveryRank(RankTask<T> task) {
    List<T> results = new ArrayList<>();
    for (CompletableFuture<T> outcome : start(task)) {
      results.add(get(outcome));
    }
    return results;
  }

  /** Runs {@code task} on every rank at once without waiting; each future completes with its rank's outcome. */
  <T> List<CompletableFuture<T>> start(RankTask<T> task) {
    List<CompletableFuture<T>> outcomes = new ArrayList<>();
    for (RingAllReduce rank : ranks) {
      CompletableFuture<T> outcome = new CompletableFuture<>();
      threads.submit(() -> {
        try {
          outcome.complete(task.run(rank));
        } catch (Throwable t) {
          outcome.completeExceptionally(t);
        }
      });
      outcomes.add(outcome);
    }
    return outcomes;
  }

  private static <T> T get(Future<T> future) {
    try {
      return future.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("a rank failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("a rank did not finish", e);
    }
  }

  @Override
  public void close() {
    ranks.forEach(RingAllReduce::close);
    threads.shutdownNow();
  }
}
