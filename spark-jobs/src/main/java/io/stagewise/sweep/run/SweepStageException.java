package io.stagewise.sweep.run;

import io.stagewise.sweep.plan.StageNode;

/** A stage of a sweep failed; names the stage and its directory key. Finished stages are kept for the rerun. */
public final class SweepStageException extends RuntimeException {
  public SweepStageException(StageNode node, Throwable cause) {
    super(node.kind().dirName() + " stage '" + node.label() + "' (" + node.key() + ") failed: " + cause.getMessage(),
        cause);
  }
}
