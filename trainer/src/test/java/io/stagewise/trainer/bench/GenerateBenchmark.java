package io.stagewise.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.generate.GenerationConfig;
import io.stagewise.trainer.generate.Generator;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Greedy generation with the KV cache against full recompute, on a fresh random model (the cost does not depend
 * on the weights; no end token, so every row generates every token). Alternating rounds, medians reported; prints
 * key=value lines, the last {@code generate_kv_cache_speedup_vs_recompute}. {@code --mode kv} runs the cache only
 * and also reports the process's peak resident set (VmHWM), which only means something for one run per JVM.
 * In {@code both} mode, {@code --ppo-iterations} (default 2; 0 skips) PPO iterations of the real loop on the same
 * prompts and length follow, split into rollout, scoring and update ({@link PpoIterationBenchmark}).
 * Benchmark code: lives in test sources so it never ships.
 *
 * <p>Usage: {@code GenerateBenchmark [--preset small-cpu] [--layers L --heads H --width W] [--batch 32]
 * [--prompt 16] [--new-tokens 128] [--rounds 3] [--warmup 1] [--threads 2] [--mode both|kv] [--ppo-iterations 2]}. The
 * context length is set to prompt + new tokens so any length fits the preset.
 */
public final class GenerateBenchmark {

  private static final int VOCAB = 260;

  private GenerateBenchmark() {}

  public static void main(String[] args) throws IOException {
    Options options = Options.parse(args);
    Engine.getInstance();
    JniUtils.setNumThreads(options.threads);
    ModelConfig config = ModelPresets.get(options.preset, VOCAB)
        .withContextLength(options.prompt + options.newTokens);
    if (options.layers > 0) {
      config = config.withSize(options.layers, options.heads, options.width);
    }
    print("preset", options.preset);
    print("layers", config.layers());
    print("heads", config.heads());
    print("width", config.width());
    print("batch", options.batch);
    print("prompt_tokens", options.prompt);
    print("new_tokens", options.newTokens);
    print("threads", JniUtils.getNumThreads());
    print("warmup_rounds", options.warmup);
    int[][] prompts = prompts(options.batch, options.prompt);
    GenerationConfig greedy = GenerationConfig.greedy(options.newTokens, -1);
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(config, manager, 1);
      // One untimed round of each mode first: engine start-up and JIT must not land in the first timed one.
      for (int round = 0; round < options.warmup; round++) {
        new Generator(model, greedy).generate(manager, prompts);
        if (options.bothModes) {
          new Generator(model, greedy.withKvCache(false)).generate(manager, prompts);
        }
      }
      double[][] kv = new double[2][options.rounds];
      double[][] recompute = new double[2][options.rounds];
      for (int round = 0; round < options.rounds; round++) {
        time(model, greedy, manager, prompts, kv, round);
        if (options.bothModes) {
          time(model, greedy.withKvCache(false), manager, prompts, recompute, round);
        }
      }
      report("generate_kv_cache", kv, options);
      if (options.bothModes) {
        report("generate_recompute", recompute, options);
        if (options.ppoIterations > 0) {
          PpoIterationBenchmark.report(PpoIterationBenchmark.run(config, prompts, options.newTokens,
              options.ppoIterations, options.threads));
        }
        print("generate_kv_cache_cpu_speedup_vs_recompute", median(recompute[1]) / median(kv[1]));
        print("generate_kv_cache_speedup_vs_recompute", median(recompute[0]) / median(kv[0]));
      } else {
        print("peak_rss_mb", peakRssMb());
      }
    }
    System.exit(0); // DJL leaves non-daemon threads behind
  }

  /** Generates once; records wall seconds in {@code into[0][round]} and process CPU seconds in {@code into[1]}. */
  private static void time(GptModel model, GenerationConfig config, NDManager manager, int[][] prompts,
      double[][] into, int round) {
    double cpu = processCpuSeconds();
    long start = System.nanoTime();
    int[][] out = new Generator(model, config).generate(manager, prompts);
    into[0][round] = (System.nanoTime() - start) / 1e9;
    into[1][round] = processCpuSeconds() - cpu;
    if (out[0].length != config.maxNewTokens()) {
      throw new IllegalStateException("generated " + out[0].length + " tokens, expected " + config.maxNewTokens());
    }
  }

  /** Medians of wall and CPU time, and tokens per wall second. */
  private static void report(String prefix, double[][] times, Options options) {
    double wall = median(times[0]);
    print(prefix + "_seconds", wall);
    // Process CPU time (all threads): less sensitive than wall time to other work on a loaded machine.
    print(prefix + "_cpu_seconds", median(times[1]));
    print(prefix + "_tokens_per_s", options.batch * options.newTokens / wall);
  }

  private static int[][] prompts(int batch, int length) {
    Random random = new Random(3);
    int[][] prompts = new int[batch][length];
    for (int[] prompt : prompts) {
      for (int t = 0; t < length; t++) {
        prompt[t] = random.nextInt(VOCAB);
      }
    }
    return prompts;
  }

  private static double peakRssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }

  private static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static void print(String key, Object value) {
    String text = value instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(value);
    System.out.println(key + "=" + text);
  }

  private record Options(String preset, int layers, int heads, int width, int batch, int prompt, int newTokens,
      int rounds, int warmup, int threads, boolean bothModes, int ppoIterations) {

    static Options parse(String[] args) {
      String preset = "small-cpu";
      int layers = 0;
      int heads = 0;
      int width = 0;
      int batch = 32;
      int prompt = 16;
      int newTokens = 128;
      int rounds = 3;
      int warmup = 1;
      int threads = 2;
      boolean both = true;
      int ppoIterations = 2;
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + args[i] + " needs a value");
        }
        String value = args[i + 1];
        switch (args[i]) {
          case "--preset" -> preset = value;
          case "--layers" -> layers = Integer.parseInt(value);
          case "--heads" -> heads = Integer.parseInt(value);
          case "--width" -> width = Integer.parseInt(value);
          case "--batch" -> batch = Integer.parseInt(value);
          case "--prompt" -> prompt = Integer.parseInt(value);
          case "--new-tokens" -> newTokens = Integer.parseInt(value);
          case "--rounds" -> rounds = Integer.parseInt(value);
          case "--warmup" -> warmup = Integer.parseInt(value);
          case "--threads" -> threads = Integer.parseInt(value);
          case "--ppo-iterations" -> ppoIterations = Integer.parseInt(value);
          case "--mode" -> both = switch (value) {
            case "both" -> true;
            case "kv" -> false;
            default -> throw new IllegalArgumentException("--mode must be both or kv, got " + value);
          };
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if ((layers > 0) != (heads > 0) || (layers > 0) != (width > 0)) {
        throw new IllegalArgumentException("--layers, --heads and --width go together");
      }
      if (rounds < 1 || warmup < 0) {
        throw new IllegalArgumentException("--rounds must be >= 1 and --warmup >= 0, got " + rounds + " and "
            + warmup);
      }
      if (ppoIterations < 0) {
        throw new IllegalArgumentException("--ppo-iterations must be >= 0, got " + ppoIterations);
      }
      return new Options(preset, layers, heads, width, batch, prompt, newTokens, rounds, warmup, threads, both,
          ppoIterations);
    }
  }
}
