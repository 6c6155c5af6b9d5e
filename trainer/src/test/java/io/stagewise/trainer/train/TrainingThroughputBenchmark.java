package io.stagewise.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.collective.Collective;
import io.stagewise.trainer.collective.CollectiveOptions;
import io.stagewise.trainer.collective.RingAllReduce;
import io.stagewise.trainer.collective.SingleWorkerCollective;
import io.stagewise.trainer.data.ShuffledBatches;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Data-parallel training throughput: the same global batch trained by W = 1 and W = 2 workers that are threads of
 * this JVM joined by a TCP ring, as co-located Spark tasks are, each with the cores split evenly between them.
 * Prints {@code train_w<W>_tokens_per_s} lines and the W = 2 speed-up. Benchmark code: lives in test sources.
 *
 * <p>Usage: {@code TrainingThroughputBenchmark [preset=small-cpu] [globalBatch=16] [steps=8] [cores=all]}; each of
 * W workers gets {@code cores / W} intra-op threads.
 */
public final class TrainingThroughputBenchmark {

  private static final int VOCAB = 256;
  private static final int WARMUP_STEPS = 2;
  private static final byte[] SECRET = "training-throughput-benchmark".getBytes(StandardCharsets.US_ASCII);

  private TrainingThroughputBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    String preset = args.length > 0 ? args[0] : "small-cpu";
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int steps = Math.max(2, args.length > 2 ? Integer.parseInt(args[2]) : 8);
    ModelConfig model = ModelPresets.get(preset, VOCAB).withDropout(0f);
    int cores = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
    Engine.getInstance();
    double single = tokensPerSecond(model, batch, steps, 1, cores);
    double pair = tokensPerSecond(model, batch, steps, 2, cores);
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "train_model=%s%n", preset);
    out.printf(Locale.ROOT, "train_global_batch=%d%n", batch);
    out.printf(Locale.ROOT, "train_sequence_length=%d%n", model.contextLength());
    out.printf(Locale.ROOT, "train_cores=%d%n", cores);
    out.printf(Locale.ROOT, "train_w1_tokens_per_s=%.1f%n", single);
    out.printf(Locale.ROOT, "train_w2_tokens_per_s=%.1f%n", pair);
    out.printf(Locale.ROOT, "train_w2_speedup=%.3f%n", pair / single);
  }

  /** Tokens per second of W workers over {@code steps − 1} timed updates after a short warmup. */
  private static double tokensPerSecond(ModelConfig model, int batch, int steps, int world, int cores)
      throws Exception {
    TrainConfig config = TrainConfig.defaults().withSteps(WARMUP_STEPS + steps, 1).withBatch(batch, 2)
        .withCadence(1, 0, 0, 0).withIntraOpThreads(Math.max(1, cores / world));
    TokenSequences rows = rows(4 * batch, model.contextLength() + 1);
    List<ServerSocket> listeners = new ArrayList<>();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < world && world > 1; r++) {
      listeners.add(RingAllReduce.listen(InetAddress.getLoopbackAddress()));
      peers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), listeners.get(r).getLocalPort()));
    }
    ExecutorService threads = Executors.newFixedThreadPool(world);
    try {
      List<Future<Long>> running = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        int rank = r;
        running.add(threads.submit(() -> {
          try (Collective group = world == 1 ? new SingleWorkerCollective()
              : RingAllReduce.connect(listeners.get(rank), rank, peers, SECRET,
                  CollectiveOptions.defaults())) {
            return train(model, config, rows, group);
          }
        }));
      }
      long nanos = 0;
      for (Future<Long> f : running) {
        nanos = Math.max(nanos, f.get());
      }
      return (double) (steps - 1) * batch * model.contextLength() / (nanos / 1e9);
    } finally {
      threads.shutdownNow();
    }
  }

  /** Trains as one worker; returns the wall time of the updates after the warmup. */
  private static long train(ModelConfig modelConfig, TrainConfig config, TokenSequences rows, Collective group)
      throws Exception {
    JniUtils.setNumThreads(config.intraOpThreads());
    java.nio.file.Path dir = Files.createTempDirectory("throughput");
    Configuration conf = new Configuration();
    // Timed between the end of the warmup and the end of the last-but-one update: the final checkpoint is
    // written after the last one and is no part of the throughput.
    long[] window = new long[2];
    StepListener clock = p -> {
      if (p.step() == WARMUP_STEPS) {
        window[0] = System.nanoTime();
      } else if (p.step() == config.steps() - 1) {
        window[1] = System.nanoTime();
      }
    };
    Worker worker = new Worker(group, null, Autograd.perThread(), config.intraOpThreads(), clock);
    worker.autograd().prepareThread();
    try (NDManager manager = NDManager.newBaseManager();
        MetricsLog metrics = worker.lead() ? MetricsLog.create(new Path(dir.resolve("m").toUri()), conf)
            : null) {
      GptModel model = GptModel.create(modelConfig, manager, config.seed());
      try (TrainingLoop loop = new TrainingLoop(model, config, manager, worker)) {
        ShuffledBatches stream = new ShuffledBatches(rows, config.batchSize(),
            modelConfig.contextLength() + 1, 0, config.seed(), TrainProgress.START.data());
        loop.run(stream, List.of(), TrainProgress.START, metrics,
            worker.lead() ? new ProgressLine(new PrintStream(OutputStream.nullOutputStream()), 1) : null,
            worker.lead() ? CheckpointStore.forWriting(dir.resolve("c").toUri(), conf, 1)
                : new CheckpointStore(dir.resolve("c").toUri(), conf, 1));
      }
    }
    return window[1] - window[0];
  }

  private static TokenSequences rows(int count, int width) {
    SplittableRandom random = new SplittableRandom(3);
    int[][] ids = new int[count][width];
    boolean[][] mask = new boolean[count][width];
    for (int r = 0; r < count; r++) {
      for (int t = 0; t < width; t++) {
        ids[r][t] = 1 + random.nextInt(VOCAB - 1);
        mask[r][t] = true;
      }
    }
    return new TokenSequences(ids, mask);
  }
}
