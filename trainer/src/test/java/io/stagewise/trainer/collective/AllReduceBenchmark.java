package io.stagewise.trainer.collective;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Ring all-reduce bandwidth against raw loopback TCP, in the units NCCL's tests use: algorithm bandwidth is
 * buffer bytes over time, bus bandwidth is that times 2(W−1)/W, the bytes each rank actually moves, so it is
 * comparable with the throughput of a single link. Workers are separate JVM processes joined through the same
 * listen / share addresses / connect sequence the Spark launcher uses; the loopback reference (one sender thread,
 * one receiver thread) runs in this process. Every world size runs twice, with bare frames and then with
 * authenticated frames (HMAC-SHA256 per 256 KiB record, the default), so the cost of authentication is measured
 * in the same invocation; the machine's single-thread HMAC-SHA256 rate over such records is printed beside it.
 * Benchmark code: lives in test sources so it never ships.
 *
 * <p>Usage: {@code AllReduceBenchmark [worlds=2,3,4] [sizesMiB=1,4,16,64,256] [bucketMiB=8]}
 */
public final class AllReduceBenchmark {

  private static final long MIB = 1 << 20;
  private static final byte[] SECRET = "allreduce-benchmark-job-secret".getBytes(StandardCharsets.US_ASCII);
  private static final int REFERENCE_MIB = 64;
  private static final long HMAC_WARMUP_CPU_NANOS = 300_000_000L;
  private static final long HMAC_MEASURE_CPU_NANOS = 700_000_000L;
  private static final ExecutorService THREADS = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "loopback");
    thread.setDaemon(true);
    return thread;
  });

  private AllReduceBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("worker")) {
      worker(Integer.parseInt(args[1]), Integer.parseInt(args[2]), ints(args[3]), Integer.parseInt(args[4]),
          Boolean.parseBoolean(args[5]));
      return;
    }
    int[] worlds = ints(args.length > 0 ? args[0] : "2,3,4");
    int[] sizes = ints(args.length > 1 ? args[1] : "1,4,16,64,256");
    int bucketMib = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    // The headline figures are taken at W = 2 and 64 MiB, or at the largest size when 64 MiB is not run.
    int referenceMib = Arrays.stream(sizes).anyMatch(size -> size == REFERENCE_MIB) ? REFERENCE_MIB
        : sizes[sizes.length - 1];
    int referenceWorld = Arrays.stream(worlds).anyMatch(world -> world == 2) ? 2 : worlds[0];
    PrintStream out = System.out;
    out.printf("workers=processes%n");
    out.printf("cpus=%d%n", Runtime.getRuntime().availableProcessors());
    out.printf("bucket_mib=%d%n", bucketMib);
    out.printf("reference=w%d_%dmib%n", referenceWorld, referenceMib);
    // The machine may be shared: the reference is sampled before and after the ring runs, and medians taken.
    long referenceBytes = referenceMib * MIB;
    List<Double> single = loopbackRates(referenceBytes, 1);
    List<Double> pairs = loopbackRates(referenceBytes, 2);
    double referenceBusBw = Double.NaN;
    double referenceBareBusBw = Double.NaN;
    List<String> lines = new ArrayList<>();
    for (int world : worlds) {
      double[] bare = runWorkers(world, sizes, bucketMib, false);
      double[] authenticated = runWorkers(world, sizes, bucketMib, true);
      for (int i = 0; i < sizes.length; i++) {
        String key = "allreduce_w" + world + "_" + sizes[i] + "mib";
        double busBw = report(lines, key, world, sizes[i], authenticated[i]);
        double bareBusBw = report(lines, key + "_noauth", world, sizes[i], bare[i]);
        lines.add(String.format(Locale.ROOT, "%s_auth_bw_ratio=%.3f", key, busBw / bareBusBw));
        if (world == referenceWorld && sizes[i] == referenceMib) {
          referenceBusBw = busBw;
          referenceBareBusBw = bareBusBw;
        }
      }
    }
    single.addAll(loopbackRates(referenceBytes, 1));
    pairs.addAll(loopbackRates(referenceBytes, 2));
    double loopback = median(single);
    double duplex = median(pairs);
    out.printf(Locale.ROOT, "loopback_%dmib_gb_per_s=%.3f%n", referenceMib, loopback / 1e9);
    out.printf(Locale.ROOT, "loopback_duplex_%dmib_per_stream_gb_per_s=%.3f%n", referenceMib, duplex / 1e9);
    out.printf(Locale.ROOT, "hmac_sha256_256kib_records_gb_per_cpu_s=%.3f%n", hmacRate() / 1e9);
    lines.forEach(out::println);
    out.printf(Locale.ROOT, "allreduce_noauth_bus_bw_fraction_of_loopback=%.3f%n", referenceBareBusBw / loopback);
    out.printf(Locale.ROOT, "allreduce_bus_bw_fraction_of_duplex_loopback=%.3f%n", referenceBusBw / duplex);
    out.printf(Locale.ROOT, "allreduce_auth_bw_ratio=%.3f%n", referenceBusBw / referenceBareBusBw);
    out.printf(Locale.ROOT, "allreduce_bus_bw_fraction_of_loopback=%.3f%n", referenceBusBw / loopback);
  }

  /** Adds the time and bandwidth lines of one measurement; returns its bus bandwidth in bytes/s. */
  private static double report(List<String> lines, String key, int world, int sizeMib, double seconds) {
    double algBw = sizeMib * (double) MIB / seconds;
    double busBw = algBw * 2 * (world - 1) / world;
    lines.add(String.format(Locale.ROOT, "%s_time_ms=%.2f", key, seconds * 1e3));
    lines.add(String.format(Locale.ROOT, "%s_alg_bw_gb_per_s=%.3f", key, algBw / 1e9));
    lines.add(String.format(Locale.ROOT, "%s_bus_bw_gb_per_s=%.3f", key, busBw / 1e9));
    return busBw;
  }

  /**
   * Bytes per CPU second one thread seals through the ring's own {@link FrameMac}, 256 KiB records from a direct
   * buffer, after a warm-up that lets the JIT compile the SHA-256 intrinsic. CPU time, not wall time, so that a
   * shared machine's load does not hide what the MAC itself costs.
   */
  private static double hmacRate() {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    FrameMac mac = new FrameMac(SECRET);
    ByteBuffer record = ByteBuffer.allocateDirect(PeerLink.MAX_RECORD_BYTES);
    ByteBuffer tag = ByteBuffer.allocate(FrameMac.TAG_BYTES);
    long warm = cpu.getCurrentThreadCpuTime();
    while (cpu.getCurrentThreadCpuTime() - warm < HMAC_WARMUP_CPU_NANOS) {
      mac.seal(record, tag);
    }
    long bytes = 0;
    long start = cpu.getCurrentThreadCpuTime();
    long elapsed;
    do {
      mac.seal(record, tag);
      bytes += record.remaining();
      elapsed = cpu.getCurrentThreadCpuTime() - start;
    } while (elapsed < HMAC_MEASURE_CPU_NANOS);
    return bytes / (elapsed / 1e9);
  }

  /**
   * Starts one JVM per rank; each prints its listening port, receives everyone's, forms the ring and times the
   * sizes. Returns rank 0's median seconds per all-reduce, by size.
   */
  private static double[] runWorkers(int world, int[] sizes, int bucketMib, boolean authenticate)
      throws Exception {
    Path log = Files.createTempFile("allreduce-bench-w" + world, ".log");
    List<Process> workers = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    try {
      for (int rank = 0; rank < world; rank++) {
        long heapMib = 256 + 3L * sizes[sizes.length - 1];
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx" + heapMib + "m",
            "-XX:MaxDirectMemorySize=" + (2 * sizes[sizes.length - 1] + 256) + "m",
            "-cp", System.getProperty("java.class.path"), AllReduceBenchmark.class.getName(),
            "worker", String.valueOf(rank), String.valueOf(world), join(sizes), String.valueOf(bucketMib),
            String.valueOf(authenticate));
        builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process process = builder.start();
        workers.add(process);
        outputs.add(new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.US_ASCII)));
      }
      List<String> ports = new ArrayList<>();
      for (BufferedReader output : outputs) {
        ports.add(expect(output, "PORT", log));
      }
      for (Process process : workers) {
        Writer in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        in.write(String.join(",", ports) + "\n");
        in.flush();
      }
      double[] seconds = new double[sizes.length];
      for (int i = 0; i < sizes.length; i++) {
        seconds[i] = Double.parseDouble(expect(outputs.get(0), "RESULT " + sizes[i], log));
      }
      for (Process process : workers) {
        if (process.waitFor() != 0) {
          throw new IllegalStateException("a worker failed; see " + log);
        }
      }
      Files.deleteIfExists(log);
      return seconds;
    } finally {
      workers.forEach(Process::destroyForcibly);
    }
  }

  private static void worker(int rank, int world, int[] sizes, int bucketMib, boolean authenticate)
      throws Exception {
    ServerSocket listener = RingAllReduce.listen(InetAddress.getLoopbackAddress());
    System.out.println("PORT " + listener.getLocalPort());
    System.out.flush();
    String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (String port : line.trim().split(",")) {
      peers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port)));
    }
    int bucketBytes = (int) (bucketMib * MIB);
    CollectiveOptions options = new CollectiveOptions(Duration.ofSeconds(60), Duration.ofSeconds(60),
        bucketBytes, bucketBytes, authenticate);
    try (RingAllReduce ring = RingAllReduce.connect(listener, rank, peers, SECRET, options)) {
      FloatBuffer buffer = ByteBuffer.allocateDirect((int) (sizes[sizes.length - 1] * MIB))
          .order(ByteOrder.nativeOrder()).asFloatBuffer();
      for (int size : sizes) {
        buffer.clear().limit((int) (size * MIB / Float.BYTES));
        checkSum(ring, buffer);
        int iterations = Math.max(3, Math.min(20, 1024 / size));
        double[] seconds = new double[iterations];
        for (int i = 0; i < iterations; i++) {
          ring.barrier();
          long start = System.nanoTime();
          ring.allReduceSum(buffer);
          seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        System.out.println("RESULT " + size + " " + seconds[iterations / 2]);
        System.out.flush();
      }
    }
  }

  /** The warm-up run doubles as a check that the bytes timed are the right ones. */
  private static void checkSum(RingAllReduce ring, FloatBuffer buffer) {
    for (int i = buffer.position(); i < buffer.limit(); i++) {
      buffer.put(i, ring.rank() + 1 + (i & 7));
    }
    ring.allReduceSum(buffer);
    int world = ring.worldSize();
    for (int i = buffer.position(); i < buffer.limit(); i++) {
      float expected = world * (world + 1) / 2f + world * (i & 7);
      if (buffer.get(i) != expected) {
        throw new IllegalStateException("wrong sum at " + i + ": " + buffer.get(i) + " != " + expected);
      }
    }
  }

  /**
   * Raw TCP over loopback with the ring's socket settings: {@code streams} concurrent sender/receiver pairs
   * (two make the full-duplex traffic a two-rank ring produces) each moving {@code bytes}. Returns the bytes/s
   * of the slowest stream of each of five runs, after one warm-up run.
   */
  private static List<Double> loopbackRates(long bytes, int streams) throws Exception {
    List<Double> rates = new ArrayList<>();
    for (int run = 0; run < 6; run++) {
      List<CompletableFuture<Double>> pairs = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        pairs.add(CompletableFuture.supplyAsync(() -> oneStream(bytes), THREADS));
      }
      double slowest = Double.MAX_VALUE;
      for (CompletableFuture<Double> pair : pairs) {
        slowest = Math.min(slowest, pair.get());
      }
      if (run > 0) {
        rates.add(slowest);
      }
    }
    return rates;
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static double oneStream(long bytes) {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.setOption(StandardSocketOptions.SO_RCVBUF, RingHandshake.SOCKET_BUFFER_BYTES);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drain(server, bytes), THREADS);
      try (SocketChannel out = SocketChannel.open()) {
        out.setOption(StandardSocketOptions.TCP_NODELAY, true);
        out.setOption(StandardSocketOptions.SO_SNDBUF, RingHandshake.SOCKET_BUFFER_BYTES);
        out.connect(server.getLocalAddress());
        ByteBuffer chunk = ByteBuffer.allocateDirect(RingAllReduce.SEGMENT_FLOATS * Float.BYTES);
        long start = System.nanoTime();
        for (long sent = 0; sent < bytes; ) {
          chunk.clear().limit((int) Math.min(chunk.capacity(), bytes - sent));
          sent += out.write(chunk);
        }
        long end = received.get();
        return bytes / ((end - start) / 1e9);
      }
    } catch (Exception e) {
      throw new IllegalStateException("loopback measurement failed", e);
    }
  }

  private static long drain(ServerSocketChannel server, long bytes) {
    try (SocketChannel in = server.accept()) {
      ByteBuffer chunk = ByteBuffer.allocateDirect(RingAllReduce.SEGMENT_FLOATS * Float.BYTES);
      for (long got = 0; got < bytes; ) {
        chunk.clear();
        int n = in.read(chunk);
        if (n < 0) {
          throw new IOException("sender hung up early");
        }
        got += n;
      }
      return System.nanoTime();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String expect(BufferedReader output, String prefix, Path log) throws IOException {
    for (String line; (line = output.readLine()) != null; ) {
      if (line.startsWith(prefix + " ")) {
        return line.substring(prefix.length() + 1).trim();
      }
    }
    throw new IllegalStateException("a worker exited before reporting '" + prefix + "'; see " + log);
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static String join(int[] values) {
    return String.join(",", Arrays.stream(values).mapToObj(String::valueOf).toArray(String[]::new));
  }
}
