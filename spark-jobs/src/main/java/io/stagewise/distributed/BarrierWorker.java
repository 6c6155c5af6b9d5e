package io.stagewise.distributed;

import io.stagewise.trainer.collective.CollectiveOptions;
import io.stagewise.trainer.collective.RingAllReduce;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.StepListener;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.TrainRun;
import io.stagewise.trainer.train.TrainRunSpec;
import io.stagewise.trainer.train.Worker;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.util.SerializableConfiguration;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

/**
 * One barrier task of a {@link DataParallelRun}: joins the ring, picks its device, and runs the trainer as
 * worker {@code partitionId} of W. Rank 0 returns the run's result (as JSON); the others return nothing.
 *
 * <p>Workers that share an executor JVM each record on their own thread ({@link Autograd#perThread()}) and give
 * the engine as many intra-op threads as the task holds CPUs ({@code spark.task.cpus}), so co-located workers
 * split the cores instead of each claiming all of them.
 */
final class BarrierWorker extends AbstractFunction1<Iterator<Integer>, Iterator<String>>
    implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String spec;
  private final byte[] secret;
  private final FaultInjection fault;
  private final long connectMillis;
  private final long ioMillis;
  private final int bucketBytes;
  private final int maxFrameBytes;
  private final boolean authenticateFrames;
  private final SerializableConfiguration hadoop;

  BarrierWorker(TrainRunSpec spec, byte[] secret, DataParallelRun run, SerializableConfiguration hadoop) {
    this.spec = RunCodec.spec(spec);
    this.secret = secret.clone();
    this.fault = run.fault();
    this.connectMillis = run.collective().connectTimeout().toMillis();
    this.ioMillis = run.collective().ioTimeout().toMillis();
    this.bucketBytes = run.collective().bucketBytes();
    this.maxFrameBytes = run.collective().maxFrameBytes();
    this.authenticateFrames = run.collective().authenticateFrames();
    this.hadoop = hadoop;
  }

  /** Trains; the input partition holds just the rank, which the barrier context already knows. */
  @Override
  public Iterator<String> apply(Iterator<Integer> rank) {
    BarrierTaskContext task = BarrierTaskContext.get();
    TrainRunSpec run = RunCodec.spec(spec);
    CollectiveOptions options = new CollectiveOptions(Duration.ofMillis(connectMillis),
        Duration.ofMillis(ioMillis), bucketBytes, maxFrameBytes, authenticateFrames);
    try (RingAllReduce ring = BarrierRendezvous.join(task, secret, options)) {
      StepListener listener = fault == null ? StepListener.NONE
          : fault.listener(ring.rank(), run.output(), hadoop.value());
      Worker worker = new Worker(ring, TaskDevice.of(task), Autograd.perThread(), task.cpus(), listener);
      TrainResult result = TrainRun.run(run, hadoop.value(), System.out, worker);
      List<String> out = worker.lead() ? List.of(RunCodec.result(result)) : List.of();
      return JavaConverters.asScalaIterator(out.iterator());
    }
  }
}
