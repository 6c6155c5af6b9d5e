package io.stagewise.trainer.data;

/**
 * Where a shuffled pass over the training rows stands: the epoch and the number of rows of that epoch's
 * permutation already consumed. Checkpoints store it so a resumed run draws exactly the next batch.
 */
public record DataPosition(long epoch, long offset) {

  public static final DataPosition START = new DataPosition(0, 0);

  public DataPosition {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offset);
    }
  }
}
