package io.stagewise.trainer.data;

import java.util.Iterator;

/** An endless source of training batches that can say where it stands, so checkpoints can resume it. */
public interface BatchStream extends Iterator<TokenBatch> {

  /** The position of the batch {@link #next()} returns next. */
  DataPosition position();
}
