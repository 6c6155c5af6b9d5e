package io.stagewise.distributed;

import io.stagewise.trainer.collective.SingleWorkerCollective;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.StepListener;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Sweep-style task parallelism: many independent single-worker runs, one ordinary Spark task each, so Spark
 * packs them onto the free slots (one GPU per run with {@code spark.task.resource.gpu.amount=1}) and retries a
 * failed one on its own. A retried task resumes its run from the last checkpoint.
 */
public final class IndependentRuns {

  private IndependentRuns() {
  }

  /** Trains every run and returns their results in the order of {@code runs}. */
  public static List<TrainResult> run(SparkSession spark, List<TrainRunSpec> runs) {
    if (runs.isEmpty()) {
      return List.of();
    }
    SparkContext sc = spark.sparkContext();
    for (TrainRunSpec run : runs) {
      BarrierTraining.requireFreshOrResumed(run, sc.hadoopConfiguration());
    }
    SerializableConfiguration hadoop = new SerializableConfiguration(sc.hadoopConfiguration());
    List<String> specs = runs.stream().map(RunCodec::spec).toList();
    String previous = sc.getLocalProperty("spark.job.description");
    sc.setJobDescription("stagewise: " + runs.size() + " independent training runs");
    try {
      return JavaSparkContext.fromSparkContext(sc)
          .parallelize(specs, specs.size())
          .map(spec -> RunCodec.result(trainOne(RunCodec.spec(spec), hadoop)))
          .collect()
          .stream()
          .map(RunCodec::result)
          .toList();
    } finally {
      sc.setJobDescription(previous);
    }
  }

  private static TrainResult trainOne(TrainRunSpec spec, SerializableConfiguration hadoop) {
    TaskContext task = TaskContext.get();
    // A retry finds the checkpoints of the failed attempt; it must continue them, not refuse the output.
    TrainRunSpec run = task.attemptNumber() == 0 ? spec : spec.resumed();
    Worker worker = new Worker(new SingleWorkerCollective(), TaskDevice.of(task),
        Autograd.perThread(), task.cpus(), StepListener.NONE);
    return TrainRun.run(run, hadoop.value(), System.out, worker);
  }
}
