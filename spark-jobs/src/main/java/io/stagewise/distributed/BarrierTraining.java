package io.stagewise.distributed;

import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.train.RunStart;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs a {@link DataParallelRun} as one Spark barrier stage of W tasks, one per worker (and per GPU with
 * {@code spark.task.resource.gpu.amount=1}).
 *
 * <p>Recovery: a failing worker fails its task, which fails the whole barrier stage; Spark kills the other
 * tasks (whose ring breaks at once anyway) and resubmits the stage, up to
 * {@code spark.stage.maxConsecutiveAttempts} times. Every attempt resumes from the latest checkpoint, so a retry
 * repeats at most the updates since the last checkpoint, and the run ends where an uninterrupted one would.
 */
public final class BarrierTraining {

  static final int SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private BarrierTraining() {
  }

  /** Trains {@code run} and returns rank 0's result; checks the cluster and the output before launching. */
  public static TrainResult run(SparkSession spark, DataParallelRun run) {
    SparkContext sc = spark.sparkContext();
    TaskSlots.requireBarrierSlots(sc, run.workers());
    Configuration hadoop = sc.hadoopConfiguration();
    requireFreshOrResumed(run.run(), hadoop);
    // Retried attempts must resume what the failed one checkpointed, whatever the user asked for.
    TrainRunSpec resumable = run.run().resumed();
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(secret);
    BarrierWorker workers = new BarrierWorker(resumable, secret, run, new SerializableConfiguration(hadoop));

    ClassTag<String> strings = ClassTag$.MODULE$.apply(String.class);
    RDD<Integer> ranks = JavaSparkContext.fromSparkContext(sc)
        .parallelize(IntStream.range(0, run.workers()).boxed().toList(), run.workers()).rdd();
    String previous = sc.getLocalProperty("spark.job.description");
    sc.setJobDescription("stagewise train: " + run.workers() + " data-parallel workers -> " + run.run().output());
    try {
      // Spark retries a failed barrier stage only when it is a shuffle-map stage (a failed barrier result
      // stage aborts the job), so the workers' results reach the driver through a one-partition shuffle.
      List<String> results = JavaRDD.fromRDD(ranks.barrier().mapPartitions(workers, false, strings), strings)
          .repartition(1)
          .collect();
      if (results.size() != 1) {
        throw new IllegalStateException("expected rank 0's result, got " + results.size());
      }
      return RunCodec.result(results.get(0));
    } finally {
      sc.setJobDescription(previous);
    }
  }

  /** Same rule as a local run: an output that already holds checkpoints is resumed only when asked to. */
  static void requireFreshOrResumed(TrainRunSpec run, Configuration hadoop) {
    Path checkpoints = new Path(new Path(run.output()), RunStart.CHECKPOINTS_DIR);
    CheckpointStore store = new CheckpointStore(checkpoints.toUri(), hadoop, run.train().keepCheckpoints());
    Optional<Path> latest = store.latest();
    if (latest.isPresent() && !run.resume()) {
      throw new IllegalArgumentException(run.output() + " already holds checkpoint " + latest.get()
          + "; resume it or choose another output");
    }
  }
}
