package io.stagewise.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import java.net.URI;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * How every run starts ({@link TrainRun}, {@link RewardRun}, {@link DpoRun}): find the checkpoint to resume
 * (the same one on every worker), refuse to overwrite a finished run, set the engine's threads, prepare the
 * worker's autograd thread, and open the engine manager on the worker's device.
 */
public final class RunStart {
  private RunStart() {
  }

  /**
   * Opens the checkpoints of {@code output} and finds the one to resume from (rank 0's latest, for every
   * worker); fails when there is one and {@code resume} is off. Also prepares the worker's thread.
   */
  public static Resumption prepare(URI output, TrainConfig train, boolean resume, Worker worker, Configuration conf) {
    CheckpointStore store = new CheckpointStore(new Path(new Path(output), TrainRun.CHECKPOINTS_DIR).toUri(),
        conf, train.keepCheckpoints());
    DataParallelGroup group = new DataParallelGroup(worker.collective(), DataParallelGroup.DEFAULT_BUCKET_FLOATS);
    Optional<Path> latest = resumePoint(store, group);
    if (latest.isPresent() && !resume) {
      throw new IllegalArgumentException(output + " already holds checkpoint " + latest.get()
          + "; resume it or choose another output");
    }
    int threads = worker.intraOpThreads() > 0 ? worker.intraOpThreads() : train.intraOpThreads();
    if (threads > 0) {
      Engine.getInstance();
      JniUtils.setNumThreads(threads);
    }
    worker.autograd().prepareThread();
    return new Resumption(store, latest, group);
  }

  /** Where a run's checkpoints are and which one it resumes from. */
  public record Resumption(CheckpointStore store, Optional<Path> latest, DataParallelGroup group) {
  }

  /** The engine manager on the worker's device. */
  public static NDManager manager(Worker worker) {
    return worker.device() == null ? NDManager.newBaseManager() : NDManager.newBaseManager(worker.device());
  }

  /**
   * The checkpoint to resume from: the latest one rank 0 sees. Checkpoints are committed atomically, but a
   * worker listing the directory a moment earlier or later than rank 0 could see another "latest", so the
   * others take rank 0's step and look for that checkpoint.
   */
  static Optional<Path> resumePoint(CheckpointStore checkpoints, DataParallelGroup group) {
    Optional<Path> latest = group.rank() == 0 ? checkpoints.latest() : Optional.empty();
    if (group.worldSize() == 1) {
      return latest;
    }
    long encoded = latest.map(c -> checkpoints.readState(c).step() + 1).orElse(0L);
    long leadStep = group.broadcastLongs(encoded)[0] - 1;
    if (leadStep < 0 || group.rank() == 0) {
      return latest;
    }
    return Optional.of(checkpoints.committed().stream()
        .filter(c -> checkpoints.readState(c).step() == leadStep)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("rank " + group.rank()
            + " cannot see the checkpoint of step " + leadStep + " that rank 0 resumes from; the run"
            + " output must be on a file system every worker shares")));
  }
}
