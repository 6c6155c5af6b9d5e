package io.stagewise.trainer.data;

import java.util.Iterator;

/**
 * An endless stream of preference batches in {@link EpochOrder}, as {@link ShuffledBatches} streams sequences;
 * the position counts pairs.
 */
public final class ShuffledPreferenceBatches implements Iterator<PreferenceBatch> {

  private final PreferencePairs data;
  private final int width;
  private final int padId;
  private final EpochOrder order;

  public ShuffledPreferenceBatches(PreferencePairs data, int pairsPerBatch, int width, int padId, long seed,
      DataPosition start) {
    this.data = data;
    this.width = width;
    this.padId = padId;
    this.order = new EpochOrder(data.size(), pairsPerBatch, seed, start, "training pairs");
  }

  /** The position of the batch {@link #next()} returns next. */
  public DataPosition position() {
    return order.position();
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public PreferenceBatch next() {
    return PreferenceBatch.pack(data, order.nextBatch(), width, padId);
  }
}
