package io.stagewise.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.train.dpo.DpoRun;
import io.stagewise.trainer.train.reward.RewardRun;
import io.stagewise.trainer.train.sft.TrainRun;
import java.net.URI;
import java.util.Arrays;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * How every run starts ({@link TrainRun}, {@link RewardRun}, {@link DpoRun}): find the checkpoint to resume
 * (the same one on every worker), refuse to overwrite a finished run, set the engine's threads, prepare the
 * worker's autograd thread, and open the engine manager on the worker's device.
 */
public final class RunStart {

  /** Every run's layout under its output: the metrics log and the checkpoints directory. */
  public static final String METRICS_FILE = "metrics.jsonl";
  public static final String CHECKPOINTS_DIR = "checkpoints";

  private RunStart() {
  }

  /**
   * Opens the checkpoints of {@code output} and finds the one to resume from (rank 0's latest, for every
   * worker); fails when there is one and {@code resume} is off. Also prepares the worker's thread.
   */
  public static Resumption prepare(URI output, TrainConfig train, boolean resume, Worker worker, Configuration conf) {
    URI root = new Path(new Path(output), CHECKPOINTS_DIR).toUri();
    CheckpointStore store = new CheckpointStore(root, conf, train.keepCheckpoints());
    DataParallelGroup group = new DataParallelGroup(worker.collective(), DataParallelGroup.DEFAULT_BUCKET_FLOATS);
    Optional<Path> existing = resumePoint(store, group);
    if (existing.isPresent() && !resume) {
      throw new IllegalArgumentException(output + " already holds checkpoint " + existing.get()
          + "; resume it or choose another output");
    }
    if (worker.lead()) {
      // Claimed before the resume point is chosen: from here on an earlier attempt's writer commits and prunes
      // nothing, so the checkpoint chosen below stays.
      store = CheckpointStore.forWriting(root, conf, train.keepCheckpoints());
    }
    Optional<Path> latest = existing.isPresent() ? resumePoint(store, group) : existing;
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
    return manager(worker.device());
  }

  /** An engine manager on {@code device}, or on the engine's default device when it is null. */
  public static NDManager manager(Device device) {
    return device == null ? NDManager.newBaseManager() : NDManager.newBaseManager(device);
  }

  /**
   * The checkpoint to resume from: the latest one rank 0 sees. Checkpoints are committed atomically, but a
   * worker listing the directory a moment earlier or later than rank 0 could see another "latest", so the
   * others take rank 0's (step, writer) and look for that checkpoint.
   */
  static Optional<Path> resumePoint(CheckpointStore checkpoints, DataParallelGroup group) {
    Optional<Path> latest = group.rank() == 0 ? checkpoints.latest() : Optional.empty();
    if (group.worldSize() == 1) {
      return latest;
    }
    long[] id = latest.map(CheckpointStore::stepAndWriter).orElse(new long[] {-1, -1});
    long[] lead = group.broadcastLongs(id[0] + 1, id[1] + 1);
    if (lead[0] == 0 || group.rank() == 0) {
      return latest;
    }
    long[] wanted = {lead[0] - 1, lead[1] - 1};
    return Optional.of(checkpoints.committed().stream()
        .filter(c -> Arrays.equals(CheckpointStore.stepAndWriter(c), wanted))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("rank " + group.rank()
            + " cannot see the checkpoint of step " + wanted[0] + " that rank 0 resumes from; the run"
            + " output must be on a file system every worker shares")));
  }
}
