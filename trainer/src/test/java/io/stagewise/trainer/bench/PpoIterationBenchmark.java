package io.stagewise.trainer.bench;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.train.FrozenReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.data.EpochOrder;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainProgress;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.ppo.PpoConfig;
import io.stagewise.trainer.train.ppo.PpoLoop;
import io.stagewise.trainer.train.ppo.PpoPhaseTimes;
import io.stagewise.trainer.train.ppo.RewardModelScore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * PPO iterations of the real {@link PpoLoop} on fresh random models (policy, reference, value and reward model of
 * one size; the cost does not depend on the weights), with {@link PpoConfig#defaults} but {@code responseLength}
 * new tokens: one batch of prompts per iteration, one micro-batch. Reports the median of each phase
 * ({@link PpoPhaseTimes}) over the iterations and its fraction of the iteration.
 */
final class PpoIterationBenchmark {

  /** A token id the random policy emits rarely, so most responses run the whole length. */
  private static final int STOP = 2;

  private PpoIterationBenchmark() {}

  /** Runs {@code iterations} iterations on {@code prompts} (one batch) and returns each one's phase times. */
  static List<PpoPhaseTimes> run(ModelConfig config, int[][] prompts, int responseLength, int iterations,
      int threads) throws IOException {
    TrainConfig train = new TrainConfig(iterations, prompts.length, 1, 1e-5, 0, 1.0, 0.0, 0.9, 0.95, 1e-8, 1.0, 0,
        1, 1, 0, 1, 17, threads, ObjectiveKind.PPO);
    PpoConfig ppo = PpoConfig.defaults(STOP).withResponseLength(responseLength);
    Path dir = Files.createTempDirectory("ppo-bench");
    Configuration conf = new Configuration();
    try (NDManager manager = NDManager.newBaseManager()) {
      Worker.local().autograd().prepareThread();
      ModelConfig scalar = config.withHead(Head.SCALAR);
      GptModel value = GptModel.create(scalar, manager, 2);
      RewardModelScore reward = new RewardModelScore(GptModel.create(scalar, manager, 3));
      CheckpointStore checkpoints = CheckpointStore.forWriting(dir.resolve("checkpoints").toUri(), conf, 1);
      try (PpoLoop loop = new PpoLoop(GptModel.create(config, manager, 1), FrozenReference.copy(GptModel.create(config, manager, 1)),
          value, reward, ppo, train, new ObjectMapper().valueToTree(train), manager, Worker.local());
          MetricsLog metrics = MetricsLog.create(
              new org.apache.hadoop.fs.Path(dir.resolve("metrics.jsonl").toUri()), conf)) {
        loop.run(prompts, new EpochOrder(prompts.length, prompts.length, 5, DataPosition.START, "prompts"),
            TrainProgress.START, metrics, new ProgressLine(new PrintStream(OutputStream.nullOutputStream()),
                iterations), checkpoints);
        return loop.phaseTimes();
      }
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** {@code ppo_<phase>_s} medians and {@code ppo_<phase>_fraction} of the median iteration. */
  static void report(List<PpoPhaseTimes> times) {
    double iteration = median(times, PpoPhaseTimes::iterationSeconds);
    GenerateBenchmark.print("ppo_iterations", times.size());
    GenerateBenchmark.print("ppo_iteration_s", iteration);
    phase("rollout", median(times, PpoPhaseTimes::rolloutSeconds), iteration);
    phase("scoring", median(times, PpoPhaseTimes::scoringSeconds), iteration);
    phase("update", median(times, PpoPhaseTimes::updateSeconds), iteration);
  }

  private static void phase(String name, double seconds, double iteration) {
    GenerateBenchmark.print("ppo_" + name + "_s", seconds);
    GenerateBenchmark.print("ppo_" + name + "_fraction", seconds / iteration);
  }

  private static double median(List<PpoPhaseTimes> times, ToDoubleFunction<PpoPhaseTimes> phase) {
    return GenerateBenchmark.median(times.stream().mapToDouble(phase).toArray());
  }
}
