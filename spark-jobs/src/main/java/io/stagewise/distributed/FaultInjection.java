package io.stagewise.distributed;

import io.stagewise.trainer.train.StepListener;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Fails worker {@code rank} right after update {@code step}, once per run output: the first time it fires it
 * leaves a marker file under the output, so the attempt Spark retries runs through. For recovery tests and
 * demonstrations ({@code stagewise train --workers 2 --inject-failure 1@3}).
 *
 * @param rank the worker to fail
 * @param step the update after which it fails (≥ 1)
 */
public record FaultInjection(int rank, long step) implements Serializable {

  static final String MARKER = "_injected-failure";

  public FaultInjection {
    if (rank < 0) {
      throw new IllegalArgumentException("injected failure: rank must be >= 0, got " + rank);
    }
    if (step < 1) {
      throw new IllegalArgumentException("injected failure: step must be >= 1, got " + step);
    }
  }

  /** Parses {@code RANK@STEP}, e.g. {@code 1@3}. */
  public static FaultInjection parse(String text) {
    String[] parts = text.trim().split("@");
    try {
      if (parts.length == 2) {
        return new FaultInjection(Integer.parseInt(parts[0].trim()), Long.parseLong(parts[1].trim()));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("injected failure: expected RANK@STEP (e.g. 1@3), got '" + text + "'");
  }

  /** What worker {@code workerRank} of the run writing to {@code output} listens with. */
  StepListener listener(int workerRank, URI output, Configuration conf) {
    if (workerRank != rank) {
      return StepListener.NONE;
    }
    Path marker = new Path(new Path(output), MARKER);
    return progress -> {
      if (progress.step() == step && firstTime(marker, conf)) {
        throw new InjectedFailure("injected failure of worker " + rank + " after step " + step
            + " (marker " + marker + "; Spark retries the stage once it is gone)");
      }
    };
  }

  /** Creates the marker; false when it was already there. */
  private static boolean firstTime(Path marker, Configuration conf) {
    try {
      FileSystem fs = marker.getFileSystem(conf);
      return fs.createNewFile(marker);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create fault-injection marker " + marker, e);
    }
  }

  /** The failure this switch throws, recognisable in Spark's task failure reasons. */
  public static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure(String message) {
      super(message);
    }
  }
}
