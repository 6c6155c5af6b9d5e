package io.stagewise.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.model.PackedSegments;
import io.stagewise.trainer.model.precision.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Attention kernels against each other inside the whole model: forward and backward of one batch (loss: the
 * logits' sum; no optimizer, the same for every kernel), one model per kernel from the same seed, in blocks of
 * {@code --block} steps that alternate between the kernels, so that a machine whose load drifts weighs on every
 * kernel alike. Prints, per kernel, the medians and minima over the rounds of the process's CPU milliseconds
 * and of the wall milliseconds per step, then each kernel's CPU time over the first kernel's. Benchmark code:
 * lives in test sources so it never ships.
 *
 * <p>Usage: {@code AttentionBenchmark [--preset small-cpu] [--batch 16] [--threads 2] [--rounds 8] [--block 5]
 * [--kernels standard,fused] [--precision fp32] [--packed 0]}; {@code --packed N} packs N equal sequences into
 * each context (a block-diagonal mask), 0 trains unpacked rows.
 */
public final class AttentionBenchmark {

  private static final int VOCAB = 260;

  private AttentionBenchmark() {
  }

  public static void main(String[] args) {
    Map<String, String> options = options(args);
    ModelConfig base = ModelPresets.get(options.get("--preset"), VOCAB);
    int batch = Integer.parseInt(options.get("--batch"));
    int rounds = Integer.parseInt(options.get("--rounds"));
    int block = Integer.parseInt(options.get("--block"));
    int packed = Integer.parseInt(options.get("--packed"));
    Precision precision = Precision.fromName("--precision", options.get("--precision"));
    List<Attention> kernels = new ArrayList<>();
    for (String name : options.get("--kernels").split(",")) {
      kernels.add(Attention.fromName(name));
    }
    Engine.getInstance();
    JniUtils.setNumThreads(Integer.parseInt(options.get("--threads")));
    options.forEach((key, value) -> System.out.println("attention_bench_" + key.substring(2) + "=" + value));
    int steps = base.contextLength();
    int[] tokens = new SplittableRandom(3).ints((long) batch * steps, 0, VOCAB).toArray();
    PackedSegments segments = packed == 0 ? null : segments(batch, steps, packed);
    List<List<double[]>> timings = new ArrayList<>(); // per kernel: {cpu ms, wall ms} per step, per round
    try (NDManager manager = NDManager.newBaseManager()) {
      List<GptModel> models = new ArrayList<>();
      for (Attention kernel : kernels) {
        models.add(GptModel.create(base.withAttention(kernel), precision, manager, 1));
        timings.add(new ArrayList<>());
      }
      for (int round = 0; round <= rounds; round++) { // round 0 warms up
        for (int j = 0; j < kernels.size(); j++) {
          int k = round % 2 == 0 ? j : kernels.size() - 1 - j;
          ProcessCounters start = ProcessCounters.now();
          long wall = System.nanoTime();
          for (int s = 0; s < block; s++) {
            step(models.get(k), manager, tokens, batch, steps, segments);
          }
          if (round > 0) {
            timings.get(k).add(new double[] {(ProcessCounters.now().cpuNanos() - start.cpuNanos()) / 1e6 / block,
                (System.nanoTime() - wall) / 1e6 / block});
          }
        }
      }
    }
    double firstCpu = median(timings.get(0), 0);
    for (int k = 0; k < kernels.size(); k++) {
      String name = "attention_bench_" + kernels.get(k).specName();
      System.out.printf(Locale.ROOT, "%s_cpu_ms_per_step=%.1f (min %.1f)%n", name, median(timings.get(k), 0),
          min(timings.get(k), 0));
      System.out.printf(Locale.ROOT, "%s_wall_ms_per_step=%.1f (min %.1f)%n", name, median(timings.get(k), 1),
          min(timings.get(k), 1));
      System.out.printf(Locale.ROOT, "%s_cpu_time_vs_%s=%.3f%n", name, kernels.get(0).specName(),
          median(timings.get(k), 0) / firstCpu);
    }
    System.exit(0); // DJL leaves non-daemon threads behind
  }

  private static void step(GptModel model, NDManager manager, int[] tokens, int batch, int steps,
      PackedSegments segments) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.create(tokens, new Shape(batch, steps));
      ParameterStore parameters = new ParameterStore(scope, false);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDList out = segments == null ? model.forward(parameters, new NDList(x), true)
            : model.forwardPacked(parameters, x, segments, true);
        collector.backward(out.get(0).sum());
      }
    }
  }

  /** {@code perRow} sequences of equal length back to back in every row. */
  private static PackedSegments segments(int rows, int width, int perRow) {
    int[] ids = new int[rows * width];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i % width) * perRow / width;
    }
    return new PackedSegments(rows, width, ids);
  }

  private static double median(List<double[]> rows, int column) {
    double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  private static double min(List<double[]> rows, int column) {
    return rows.stream().mapToDouble(r -> r[column]).min().orElseThrow();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> named = new LinkedHashMap<>(Map.of("--preset", "small-cpu", "--batch", "16", "--threads",
        "2", "--rounds", "8", "--block", "5", "--kernels", "standard,fused", "--precision", "fp32", "--packed", "0"));
    for (int i = 0; i < args.length; i += 2) {
      if (!named.containsKey(args[i]) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options: "
            + named.keySet());
      }
      named.put(args[i], args[i + 1]);
    }
    return named;
  }
}
