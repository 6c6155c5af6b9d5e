package io.stagewise.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.data.BatchStream;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.ShuffledBatches;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.data.TokenShardReader;
import io.stagewise.trainer.engine.MklAvx512OnAmd;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.model.precision.Bf16Hardware;
import io.stagewise.trainer.model.precision.Precision;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainProgress;
import io.stagewise.trainer.train.TrainingLoop;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The Stagewise trainer against a PyTorch reference on the same model (preset {@code small-cpu} unless told),
 * batch and optimizer: alternating rounds in one invocation, medians reported, and the trainer's achieved FLOP/s (from
 * {@link FlopCounter}) as a fraction of the best fp32 GEMM rate the same engine reaches on this machine and of
 * its rate over the step's own products ({@link StepMatmuls}). Each precision ({@code --precisions}, fp32 and
 * bf16 by default) has its own rows, the peer running at the same precision (bf16 under autocast).
 *
 * <p>The trainer side is the real loop: token shards read from Parquet by {@link TokenShardReader}, batches
 * packed by {@link ShuffledBatches}, {@link TrainingLoop} with its FLOP accounting, metrics file, console line
 * and final checkpoint. Timing starts when the loop asks for its first batch after the warmup steps and stops
 * when it asks for the batch after the last timed one, so the final checkpoint is outside the window.
 * Benchmark code: lives in test sources so it never ships.
 *
 * <p>Usage: {@code TrainerBenchmark --work DIR [--preset small-cpu] [--batch 16] [--rounds 3] [--warmup 10]
 * [--steps 100] [--threads 2] [--profile-steps 30] [--precisions fp32,bf16] [--loading-rows 100000]
 * [--attention standard] --peer COMMAND...}; everything after {@code --peer} is the peer's command line. The peer
 * builds the preset's GPT-2 baseline (learned positions, materialised attention) from its sizes; {@code
 * --attention} sets the trainer's kernel only. {@code --loading-rows 0} leaves out the loading-only row
 * ({@link LoadingBenchmark}).
 */
public final class TrainerBenchmark {

  private static final int VOCAB = 260;
  private static final int ROWS = 4096;
  private static final long SEED = 7;
  private static final double GEMM_SECONDS = 0.5;

  private final Options options;
  private final ModelConfig model;
  private final Configuration conf = new Configuration();
  private final PrintStream out = System.out;
  private final StepMatmuls stepMatmuls;
  /** The peer's rate over {@link #stepMatmuls} per precision, as it printed it in its first round. */
  private final Map<Precision, String> peerStepGemm = new EnumMap<>(Precision.class);

  private TrainerBenchmark(Options options) {
    this.options = options;
    this.model = ModelPresets.get(options.preset, VOCAB).withAttention(options.attention);
    this.stepMatmuls = StepMatmuls.of(model, options.batch);
  }

  public static void main(String[] args) throws Exception {
    new TrainerBenchmark(Options.parse(args)).run();
    System.exit(0); // DJL and Hadoop leave non-daemon threads behind
  }

  private void run() throws Exception {
    Engine.getInstance();
    JniUtils.setNumThreads(options.threads);
    Path work = options.work;
    Path shards = BenchmarkTokens.write(work, ROWS, model.contextLength() + 1, VOCAB, SEED);
    ShardManifest manifest = ShardManifest.read(new io.stagewise.trainer.data.version.DatasetResolver(conf).resolve(shards.toUri()), conf);
    TokenSequences rows = new TokenShardReader(conf).readSequences(shards.toUri());
    rows.checkVocabulary(manifest.vocabSize(), shards.toString());

    long flopsPerStep = FlopCounter.trainingFlops(model, options.batch, model.contextLength());
    long tokensPerStep = (long) options.batch * model.contextLength();
    Map<String, Object> setup = new LinkedHashMap<>();
    setup.put("model", options.preset);
    setup.put("attention", options.attention.specName());
    setup.put("layers", model.layers());
    setup.put("heads", model.heads());
    setup.put("width", model.width());
    setup.put("context", model.contextLength());
    setup.put("vocab", model.vocabSize());
    setup.put("batch", options.batch + "x" + model.contextLength());
    setup.put("threads", options.threads);
    setup.put("warmup_steps", options.warmup);
    setup.put("timed_steps", options.steps);
    setup.put("rounds", options.rounds);
    setup.put("precisions", options.precisions.stream().map(Precision::specName).toList());
    setup.put("trainer_parameters", FlopCounter.parameters(model));
    setup.put("trainer_flops_per_step", flopsPerStep);
    setup.put("trainer_engine", Engine.getInstance().getEngineName() + "-" + Engine.getInstance().getVersion());
    setup.put("trainer_intra_op_threads", JniUtils.getNumThreads());
    setup.put("trainer_mkl_avx512_on_amd", MklAvx512OnAmd.applied());
    for (String name : List.of("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_",
        "MALLOC_TRIM_THRESHOLD_", MklAvx512OnAmd.SWITCH)) {
      setup.put("trainer_env_" + name, System.getenv().getOrDefault(name, "unset"));
    }
    setup.forEach((key, value) -> out.println(key + "=" + value));

    if (options.loadingRows > 0) {
      new LoadingBenchmark(out, options.batch, model.contextLength() + 1)
          .run(work, options.loadingRows, VOCAB, SEED);
    }
    double gemm = GemmRate.bestSquare(new int[] {128, 512, 2048, 4096}, GEMM_SECONDS);
    out.printf(Locale.ROOT, "gemm_fp32_best_square_gflops=%.1f%n", gemm / 1e9);
    Map<Precision, Double> stepGemm = new EnumMap<>(Precision.class);
    for (Precision precision : options.precisions) {
      stepGemm.put(precision, stepGemmRate(precision));
    }

    Map<Precision, List<Double>> trainer = new EnumMap<>(Precision.class);
    Map<Precision, List<Double>> peer = new EnumMap<>(Precision.class);
    Map<Precision, Double> finalLoss = new EnumMap<>(Precision.class);
    Map<Precision, List<Double>> cpu = new EnumMap<>(Precision.class);
    for (int round = 1; round <= options.rounds; round++) {
      for (Precision precision : options.precisions) {
        List<Double> mine = trainer.computeIfAbsent(precision, p -> new ArrayList<>());
        List<Double> theirs = peer.computeIfAbsent(precision, p -> new ArrayList<>());
        List<Double> cpuPerStep = cpu.computeIfAbsent(precision, p -> new ArrayList<>());
        // Alternate who goes first, so a drift in machine load does not always favour the same side.
        if (round % 2 == 1) {
          mine.add(trainerRound(round, precision, rows, manifest, tokensPerStep, finalLoss, cpuPerStep));
          theirs.add(peerRound(round, precision, work));
        } else {
          theirs.add(peerRound(round, precision, work));
          mine.add(trainerRound(round, precision, rows, manifest, tokensPerStep, finalLoss, cpuPerStep));
        }
      }
    }
    if (options.profileSteps > 0) {
      profile(rows, manifest);
    }
    Map<Precision, Double> medians = new EnumMap<>(Precision.class);
    for (Precision precision : options.precisions) {
      double trainerMedian = median(trainer.get(precision));
      medians.put(precision, trainerMedian);
      double achieved = trainerMedian / tokensPerStep * flopsPerStep;
      out.printf(Locale.ROOT, "%s_tokens_per_s_median=%.1f%n", side("trainer", precision), trainerMedian);
      out.printf(Locale.ROOT, "%s_tokens_per_s_median=%.1f%n", side("pytorch", precision), median(peer.get(precision)));
      out.printf(Locale.ROOT, "%s_achieved_gflops=%.1f%n", side("trainer", precision), achieved / 1e9);
      out.printf(Locale.ROOT, "%s_tokens_per_s_ratio_vs_pytorch=%.3f%n", side("trainer", precision),
          trainerMedian / median(peer.get(precision)));
      if (precision == Precision.FP32) {
        out.printf(Locale.ROOT, "trainer_flops_fraction_of_gemm_peak=%.3f%n", achieved / gemm);
      }
      out.printf(Locale.ROOT, "gemm_%s_model_shapes_gflops=%.1f%n", precision.specName(),
          stepGemm.get(precision) / 1e9);
      out.printf(Locale.ROOT, "pytorch_gemm_%s_model_shapes_gflops=%s%n", precision.specName(),
          peerStepGemm.getOrDefault(precision, "unmeasured"));
      out.printf(Locale.ROOT, "%s_flops_fraction_of_gemm_at_model_shapes=%.3f%n", side("trainer", precision),
          achieved / stepGemm.get(precision));
    }
    if (medians.size() == 2) {
      double fp32Loss = finalLoss.get(Precision.FP32);
      out.printf(Locale.ROOT, "trainer_bf16_final_loss_relative_gap_vs_fp32=%.2e%n",
          (finalLoss.get(Precision.BF16) - fp32Loss) / fp32Loss);
      // CPU time per step is what a loaded machine distorts least: wall time also counts other processes' turns.
      out.printf(Locale.ROOT, "trainer_bf16_cpu_time_speedup_vs_fp32=%.3f%n",
          median(cpu.get(Precision.FP32)) / median(cpu.get(Precision.BF16)));
      out.printf(Locale.ROOT, "trainer_bf16_speedup_vs_fp32=%.3f%n",
          medians.get(Precision.BF16) / medians.get(Precision.FP32));
    }
  }

  /** A key's side at a precision: {@code who} for fp32 (the keys of earlier runs), {@code who_bf16} for bf16. */
  private static String side(String who, Precision precision) {
    return precision == Precision.FP32 ? who : who + "_" + precision.specName();
  }

  /**
   * libtorch's GEMM rate at {@code precision} over the products one training step runs ({@link StepMatmuls}),
   * bf16 through the trainer's own bf16 product (its casts included); each shape's rate on a line of its own.
   * The step's products go to the peer too, which times them the same way.
   */
  private double stepGemmRate(Precision precision) {
    String name = precision.specName();
    double rate = GemmRate.step(stepMatmuls, GEMM_SECONDS / 2, precision::matMul, (product, each) ->
        out.printf(Locale.ROOT, "gemm_%s_%s_x%d_gflops=%.1f%n", name, product.name(), product.count(),
            each / 1e9));
    out.printf(Locale.ROOT, "gemm_%s_model_shapes_flops_per_step=%.0f%n", name, stepMatmuls.flops());
    return rate;
  }

  /**
   * One trainer run of warmup + timed steps at {@code precision}; returns tokens/s over the timed steps and
   * keeps round 1's final loss in {@code finalLoss} and adds the CPU seconds per step to {@code cpuPerStep}.
   */
  private double trainerRound(int round, Precision precision, TokenSequences rows, ShardManifest manifest,
      long tokensPerStep, Map<Precision, Double> finalLoss, List<Double> cpuPerStep) throws IOException {
    int timedSteps = options.steps;
    String key = "round_" + round + "_" + side("trainer", precision);
    Path dir = Files.createDirectories(options.work.resolve("trainer-round-" + round + "-" + precision.specName()));
    TrainConfig config = trainConfig(options.warmup + timedSteps + 1);
    TimedBatches batches = new TimedBatches(new ShuffledBatches(rows, options.batch, model.contextLength() + 1,
        manifest.padId(), config.seed(), DataPosition.START), options.warmup + 1,
        options.warmup + timedSteps + 1);
    JsonNode last = train(config, precision, batches, dir);
    batches.printCounters(out, key);
    cpuPerStep.add(batches.cpuSecondsPerStep());
    double seconds = batches.seconds();
    double rate = timedSteps * tokensPerStep / seconds;
    double loss = last.get("loss").asDouble();
    finalLoss.putIfAbsent(precision, loss);
    out.printf(Locale.ROOT, "%s_seconds=%.3f%n", key, seconds);
    out.printf(Locale.ROOT, "%s_tokens_per_s=%.1f%n", key, rate);
    out.printf(Locale.ROOT, "%s_final_loss=%.6f%n", key, loss);
    return rate;
  }

  /** Trains {@code config} over {@code batches}, logging under {@code dir}; returns the last metrics record. */
  private JsonNode train(TrainConfig config, Precision precision, BatchStream batches, Path dir)
      throws IOException {
    org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(dir.toUri());
    org.apache.hadoop.fs.Path metricsFile = new org.apache.hadoop.fs.Path(out, "metrics.jsonl");
    CheckpointStore checkpoints = CheckpointStore.forWriting(new org.apache.hadoop.fs.Path(out, "checkpoints").toUri(),
        conf, 1);
    try (NDManager manager = NDManager.newBaseManager();
        PrintStream progress = new PrintStream(Files.newOutputStream(dir.resolve("progress.log")), true,
            StandardCharsets.UTF_8)) {
      precision.requireSupported(manager.getDevice(), Bf16Hardware.local());
      GptModel gpt = GptModel.create(model, precision, manager, config.seed());
      try (TrainingLoop loop = new TrainingLoop(gpt, config, manager);
          MetricsLog metrics = MetricsLog.create(metricsFile, conf)) {
        loop.run(batches, List.of(), TrainProgress.START, metrics, new ProgressLine(progress, config.steps()),
            checkpoints);
      }
    }
    List<JsonNode> records = MetricsLog.read(metricsFile, conf);
    return records.get(records.size() - 1);
  }

  private TrainConfig trainConfig(int steps) {
    return TrainConfig.defaults()
        .withSteps(steps, Math.min(100, steps))
        .withBatch(options.batch, 1)
        .withCadence(10, 0, 0, 0)
        .withSeed(SEED)
        .withIntraOpThreads(options.threads)
        .withObjective(ObjectiveKind.LM);
  }

  /** One run of the peer process at {@code precision}; returns its tokens/s and echoes its key=value lines. */
  private double peerRound(int round, Precision precision, Path work) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(options.peer);
    command.addAll(List.of("--tokens", work.resolve(BenchmarkTokens.PEER_FILE).toString(),
        "--vocab", String.valueOf(VOCAB), "--context", String.valueOf(model.contextLength()),
        "--layers", String.valueOf(model.layers()), "--heads", String.valueOf(model.heads()),
        "--width", String.valueOf(model.width()), "--batch", String.valueOf(options.batch),
        "--warmup-steps", String.valueOf(options.warmup), "--steps", String.valueOf(options.steps),
        "--threads", String.valueOf(options.threads), "--seed", String.valueOf(SEED),
        "--precision", precision.specName()));
    if (round == 1) {
      command.addAll(List.of("--gemm-shapes", stepMatmuls.argument()));
      if (precision == Precision.FP32) {
        command.add("--gemm");
      }
    }
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Map<String, String> values = new LinkedHashMap<>();
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          values.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || !values.containsKey("peer_tokens_per_s")) {
      throw new IllegalStateException("peer " + command + " exited with " + exit + " and printed " + values);
    }
    // The settings are the same every round: print them once per precision.
    values.forEach((key, value) -> {
      boolean perRound = key.equals("peer_seconds") || key.equals("peer_tokens_per_s")
          || key.equals("peer_final_loss");
      if (perRound) {
        out.printf("round_%d_%s%s=%s%n", round, side("pytorch", precision), key.substring("peer".length()), value);
      } else if (key.equals("peer_gemm_model_shapes_gflops")) {
        peerStepGemm.put(precision, value);
      } else if (round == 1) {
        out.printf("%s%s=%s%n", side("peer", precision), key.substring("peer".length()), value);
      }
    });
    return Double.parseDouble(values.get("peer_tokens_per_s"));
  }

  /** A short extra run under the engine's profiler: where a step's wall time goes, by operator. */
  private void profile(TokenSequences rows, ShardManifest manifest) throws IOException {
    int steps = options.profileSteps;
    Path dir = Files.createDirectories(options.work.resolve("profile"));
    TrainConfig config = trainConfig(options.warmup + steps + 1);
    TimedBatches batches = new TimedBatches(new ShuffledBatches(rows, options.batch, model.contextLength() + 1,
        manifest.padId(), config.seed(), DataPosition.START), options.warmup + 1, options.warmup + steps + 1);
    batches.onStart(() -> JniUtils.startProfile(false, false, false));
    Path trace = dir.resolve("trace.json");
    batches.onStop(() -> JniUtils.stopProfile(trace.toString()));
    train(config, options.precisions.get(0), batches, dir);
    // Under the profiler: its records take memory too, so these counters run above the timed rounds'.
    batches.printCounters(out, "profile");
    OpProfile.read(trace).print(out, batches.seconds(), steps);
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Command-line options; the peer command is everything after {@code --peer}. */
  private record Options(Path work, String preset, int batch, int rounds, int warmup, int steps, int threads,
      int profileSteps, int loadingRows, List<Precision> precisions, ModelConfig.Attention attention,
      List<String> peer) {

    static Options parse(String[] args) {
      Map<String, String> named = new LinkedHashMap<>(Map.of("--preset", "small-cpu", "--batch", "16",
          "--rounds", "3", "--warmup", "10", "--steps", "100", "--threads", "2", "--profile-steps", "30",
          "--precisions", "fp32,bf16", "--loading-rows", "100000", "--attention", "standard"));
      List<String> peer = List.of();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--peer")) {
          peer = List.of(args).subList(i + 1, args.length);
          break;
        }
        if (i + 1 >= args.length || !args[i].startsWith("--")) {
          throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
        }
        named.put(args[i], args[++i]);
      }
      if (!named.containsKey("--work") || peer.isEmpty()) {
        throw new IllegalArgumentException("usage: TrainerBenchmark --work DIR [--preset small-cpu] [--batch 16] "
            + "[--rounds 3] [--warmup 10] [--steps 100] [--threads 2] [--profile-steps 30] "
            + "[--precisions fp32,bf16] [--loading-rows 100000] [--attention standard] --peer COMMAND...");
      }
      return new Options(Path.of(named.get("--work")), named.get("--preset"), positive(named, "--batch"),
          positive(named, "--rounds"),
          positive(named, "--warmup"), positive(named, "--steps"), positive(named, "--threads"),
          Integer.parseInt(named.get("--profile-steps")), Integer.parseInt(named.get("--loading-rows")),
          precisions(named.get("--precisions")), ModelConfig.Attention.fromName(named.get("--attention")), peer);
    }

    /** fp32, bf16 or both, comma-separated, each at most once. */
    private static List<Precision> precisions(String list) {
      List<Precision> out = new ArrayList<>();
      for (String name : list.split(",")) {
        Precision precision = Precision.fromName("--precisions", name);
        if (out.contains(precision)) {
          throw new IllegalArgumentException("--precisions names " + name + " twice: " + list);
        }
        out.add(precision);
      }
      return List.copyOf(out);
    }

    private static int positive(Map<String, String> named, String name) {
      int value = Integer.parseInt(named.get(name));
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, got " + value);
      }
      return value;
    }
  }
}
