package io.stagewise.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.collective.Collective;
import io.stagewise.trainer.collective.SingleWorkerCollective;
import io.stagewise.trainer.data.BatchWidth;
import io.stagewise.trainer.data.ShuffledBatches;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.precision.Precision;
import io.stagewise.trainer.optim.TrainableParameter;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data parallelism inside the trainer, without Spark: two workers that are threads of this JVM, joined by a
 * real TCP ring, each recording its own graph through {@link Autograd#perThread()}.
 */
class DataParallelTest {

  private static final TokenSequences ROWS = TinyRuns.rows(64, 5);
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @TempDir
  java.nio.file.Path dir;

  @BeforeAll
  static void oneThread() {
    Engine.getInstance();
    JniUtils.setNumThreads(1);
  }

  @Test
  void twoWorkersReachTheParametersOfOneWorkerWithTheWholeBatch() throws Exception {
    // Batch 8 over 2 micro-batches: each worker runs one; the single worker runs the batch in one pass.
    TrainConfig config = TinyRuns.config(6).withBatch(8, 2).withCadence(1, 0, 0, 3);
    List<float[]> single = train(config.withBatch(8, 1), new SingleWorkerCollective(), "single");

    List<List<float[]>> workers = Rings.run(2, collective -> train(config, collective, "pair"));

    for (int i = 0; i < single.size(); i++) {
      assertArrayEquals(workers.get(0).get(i), workers.get(1).get(i), 0f, "the workers' parameters differ");
      assertArrayEquals(single.get(i), workers.get(0).get(i), 2e-5f, "parameter " + i);
    }
  }

  /**
   * bf16 products leave the all-reduce alone: the workers' gradients are fp32, summed into identical
   * parameters, and those follow the single worker's within bf16 rounding: each micro-batch's weight gradient
   * is rounded to bf16 apart, the whole batch's once, and Adam magnifies the rounding of the smallest
   * gradients (zero-initialised biases, rare tokens' embeddings), so the parameters are compared all together
   * by relative L2 distance: 0.26 % measured after 6 steps, 1 % allowed.
   */
  @Test
  void twoBf16WorkersReachTheParametersOfOneBf16Worker() throws Exception {
    TrainConfig config = TinyRuns.config(6).withBatch(8, 2).withCadence(1, 0, 0, 3);
    List<float[]> single = train(config.withBatch(8, 1), new SingleWorkerCollective(), "single", 0f,
        Precision.BF16);

    List<List<float[]>> workers = Rings.run(2, collective -> train(config, collective, "pair", 0f, Precision.BF16));

    for (int i = 0; i < single.size(); i++) {
      assertArrayEquals(workers.get(0).get(i), workers.get(1).get(i), 0f, "the workers' parameters differ");
    }
    double gap = relativeDistance(single, workers.get(0));
    assertTrue(gap < 0.01, "the pair's parameters are " + gap + " away from the single worker's (relative L2)");
  }

  /** ‖actual − expected‖ / ‖expected‖ over all parameters together. */
  private static double relativeDistance(List<float[]> expected, List<float[]> actual) {
    double difference = 0;
    double norm = 0;
    for (int p = 0; p < expected.size(); p++) {
      for (int i = 0; i < expected.get(p).length; i++) {
        double e = expected.get(p)[i];
        difference += (e - actual.get(p)[i]) * (e - actual.get(p)[i]);
        norm += e * e;
      }
    }
    return Math.sqrt(difference / norm);
  }

  /**
   * The fused kernel's backward is deterministic (libtorch's CPU flash kernel splits its work by batch row and
   * head, each owning its gradient rows), so two fused workers on packed rows end bit-identical, and follow the
   * single worker to the tolerance of the materialised kernel.
   */
  @Test
  void twoFusedAttentionWorkersOnPackedRowsReachTheParametersOfOneWorker() throws Exception {
    TrainConfig config = TinyRuns.config(4).withBatch(8, 2).withCadence(1, 0, 0, 4).withPacking(true);
    ModelConfig fused = TinyRuns.model(0f).withKvHeads(2).withAttention(ModelConfig.Attention.FUSED);
    List<float[]> single = train(config.withBatch(8, 1), new SingleWorkerCollective(), "single", fused,
        Precision.FP32);

    List<List<float[]>> workers = Rings.run(2, collective -> train(config, collective, "pair", fused,
        Precision.FP32));

    for (int i = 0; i < single.size(); i++) {
      assertArrayEquals(workers.get(0).get(i), workers.get(1).get(i), 0f, "the workers' parameters differ");
      assertArrayEquals(single.get(i), workers.get(0).get(i), 2e-5f, "parameter " + i);
    }
  }

  @Test
  void packedRowsGiveTwoWorkersTheParametersOfOneWorker() throws Exception {
    // Each worker packs the whole batch alike (to a multiple of its micro-batches) and takes its slice; the
    // single worker packs it into fewer contexts, and the all-padding ones change nothing.
    TrainConfig config = TinyRuns.config(4).withBatch(8, 2).withCadence(1, 0, 0, 4).withPacking(true);
    List<float[]> single = train(config.withBatch(8, 1), new SingleWorkerCollective(), "single");

    List<List<float[]>> workers = Rings.run(2, collective -> train(config, collective, "pair"));

    for (int i = 0; i < single.size(); i++) {
      assertArrayEquals(workers.get(0).get(i), workers.get(1).get(i), 0f, "the workers' parameters differ");
      assertArrayEquals(single.get(i), workers.get(0).get(i), 2e-5f, "parameter " + i);
    }
  }

  /**
   * Co-located workers with dropout (task slots of one executor, here threads of this JVM) must not share a
   * random stream: the group's parameters must not depend on thread timing nor on what else in the process
   * uses the engine's generator. The second run has a neighbour thread drawing dropout masks with its own model
   * all along; with one process-wide generator seeded per step, its draws would land between a worker's seeding
   * and its masks, and those of the two workers between each other's.
   */
  @Test
  void coLocatedWorkersWithDropoutGetTheSameResultWhateverElseDraws() throws Exception {
    TrainConfig config = TinyRuns.config(4).withBatch(8, 2).withCadence(1, 0, 0, 4);
    List<List<float[]>> alone = Rings.run(2, collective -> train(config, collective, "alone", 0.2f));
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService neighbour = Executors.newSingleThreadExecutor();
    List<List<float[]>> crowded;
    try {
      Future<Integer> draws = neighbour.submit(() -> drawDropoutUntil(stop));
      crowded = Rings.run(2, collective -> train(config, collective, "crowded", 0.2f));
      stop.set(true);
      assertTrue(draws.get() > 0);
    } finally {
      neighbour.shutdownNow();
    }
    List<List<float[]>> noDropout = Rings.run(2, collective -> train(config, collective, "none", 0f));

    boolean dropoutMatters = false;
    for (int i = 0; i < alone.get(0).size(); i++) {
      assertArrayEquals(alone.get(0).get(i), alone.get(1).get(i), 0f, "the workers' parameters differ");
      assertArrayEquals(alone.get(0).get(i), crowded.get(0).get(i), 0f, "parameter " + i);
      dropoutMatters |= !Arrays.equals(alone.get(0).get(i), noDropout.get(0).get(i));
    }
    assertTrue(dropoutMatters, "the runs must actually draw masks");
  }

  /** Forward passes with dropout on a model of this thread's own until {@code stop}; returns how many. */
  private static int drawDropoutUntil(AtomicBoolean stop) {
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(TinyRuns.model(0.5f), manager, 9);
      int passes = 0;
      while (!stop.get()) {
        try (NDManager pass = manager.newSubManager()) {
          model.dropoutStream().reset(9, passes);
          model.forward(new ParameterStore(pass, false), new NDList(pass.ones(new Shape(2, TinyRuns.CONTEXT),
              DataType.INT32)), true);
        }
        passes++;
      }
      return passes;
    }
  }

  @Test
  void gradientsAndScalarsAreSummedBucketByBucket() throws Exception {
    long[][] shapes = {{3, 5}, {7}, {2, 2, 2}, {40}};
    List<float[]> perRank = Rings.run(2, collective -> {
      try (NDManager manager = NDManager.newBaseManager()) {
        List<NDArray> gradients = new ArrayList<>();
        for (long[] shape : shapes) {
          gradients.add(manager.create(values(collective.rank(), shape), new Shape(shape)));
        }
        // 16 floats per bucket: the first three arrays share buckets, the 40-float one travels alone.
        DataParallelGroup.Summed summed = new DataParallelGroup(collective, 16)
            .sum(gradients, new double[] {collective.rank() + 1, 10}, manager);
        List<float[]> out = new ArrayList<>();
        for (NDArray g : summed.gradients()) {
          out.add(g.toFloatArray());
        }
        out.add(new float[] {(float) summed.scalars()[0], (float) summed.scalars()[1]});
        return out;
      }
    }).get(1);
    for (int i = 0; i < shapes.length; i++) {
      float[] a = values(0, shapes[i]);
      float[] b = values(1, shapes[i]);
      float[] expected = new float[a.length];
      for (int k = 0; k < a.length; k++) {
        expected[k] = a[k] + b[k];
      }
      assertArrayEquals(expected, perRank.get(i), 0f);
    }
    assertArrayEquals(new float[] {3, 20}, perRank.get(shapes.length), 0f);
  }

  @Test
  void theThreadLocalAutogradLeavesTheThreadInNoGradMode() throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      boolean after = thread.submit(() -> {
        Autograd.perThread().prepareThread();
        boolean prepared = !JniUtils.isGradMode();
        try (Autograd.Recording recording = Autograd.perThread().record()) {
          assertTrue(JniUtils.isGradMode());
        }
        return prepared && !JniUtils.isGradMode();
      }).get();
      assertTrue(after);
    } finally {
      thread.shutdownNow();
    }
  }

  private List<float[]> train(TrainConfig config, Collective collective, String name) {
    return train(config, collective, name, 0f);
  }

  /** Trains {@code config} as one worker of {@code collective}; returns the final parameter values. */
  private List<float[]> train(TrainConfig config, Collective collective, String name, float dropout) {
    return train(config, collective, name, dropout, Precision.FP32);
  }

  private List<float[]> train(TrainConfig config, Collective collective, String name, float dropout,
      Precision precision) {
    return train(config, collective, name, TinyRuns.model(dropout), precision);
  }

  private List<float[]> train(TrainConfig config, Collective collective, String name, ModelConfig modelConfig,
      Precision precision) {
    Worker worker = new Worker(collective, null, Autograd.perThread(), 1, StepListener.NONE);
    worker.autograd().prepareThread();
    Configuration conf = new Configuration();
    Path out = new Path(dir.resolve(name).toUri());
    CheckpointStore checkpoints = worker.lead()
        ? CheckpointStore.forWriting(new Path(out, "checkpoints").toUri(), conf, 2)
        : new CheckpointStore(new Path(out, "checkpoints").toUri(), conf, 2);
    try (NDManager manager = NDManager.newBaseManager();
        MetricsLog metrics = worker.lead() ? MetricsLog.create(new Path(out, "metrics.jsonl"), conf) : null) {
      GptModel model = GptModel.create(modelConfig, precision, manager, config.seed());
      try (TrainingLoop loop = new TrainingLoop(model, config, manager, worker)) {
        ShuffledBatches stream = new ShuffledBatches(ROWS, config.batchSize(),
            BatchWidth.fixed(TinyRuns.CONTEXT + 1), TinyRuns.PAD, config.seed(), TrainProgress.START.data(),
            config.packs() ? config.microBatches() : 0);
        loop.run(stream, List.of(), TrainProgress.START, metrics,
            worker.lead() ? new ProgressLine(QUIET, config.steps()) : null, checkpoints);
        List<float[]> values = new ArrayList<>();
        for (TrainableParameter p : loop.optimizer().parameters()) {
          values.add(p.array().toFloatArray());
        }
        return values;
      }
    }
  }

  private static float[] values(int rank, long[] shape) {
    long size = new Shape(shape).size();
    SplittableRandom random = new SplittableRandom(rank * 31L + size);
    float[] out = new float[(int) size];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }
}
