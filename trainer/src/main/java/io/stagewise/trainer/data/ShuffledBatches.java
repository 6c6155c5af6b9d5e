package io.stagewise.trainer.data;

/**
 * An endless stream of training batches in {@link EpochOrder}: reproducible from the seed and restartable at
 * any {@link DataPosition}.
 */
public final class ShuffledBatches implements BatchStream {

  private final TokenSequences data;
  private final BatchWidth width;
  private final int padId;
  private final EpochOrder order;
  /** Packs per batch are rounded up to a multiple of this; 0 for one row per batch row (no packing). */
  private final int packMultiple;

  /** Batches packed {@code width} tokens wide. */
  public ShuffledBatches(TokenSequences data, int batchSize, int width, int padId, long seed, DataPosition start) {
    this(data, batchSize, BatchWidth.fixed(width), padId, seed, start);
  }

  /** Batches packed as {@code width} says: the same rows in the same order whatever it says. */
  public ShuffledBatches(TokenSequences data, int batchSize, BatchWidth width, int padId, long seed,
      DataPosition start) {
    this(data, batchSize, width, padId, seed, start, 0);
  }

  /**
   * The same rows in the same order, packed together into contexts {@code width.maxWidth()} wide
   * ({@link TokenBatch#packTogether}) when {@code packMultiple > 0}, their number a multiple of it (the
   * micro-batches: every worker packs the whole batch alike and takes its slice).
   */
  public ShuffledBatches(TokenSequences data, int batchSize, BatchWidth width, int padId, long seed,
      DataPosition start, int packMultiple) {
    this.packMultiple = packMultiple;
    this.data = data;
    this.width = width;
    this.padId = padId;
    this.order = new EpochOrder(data.size(), batchSize, seed, start, "training rows");
  }

  @Override
  public DataPosition position() {
    return order.position();
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  @Override
  public TokenBatch next() {
    int[] rows = order.nextBatch();
    if (packMultiple > 0) {
      return TokenBatch.packTogether(data, rows, width.maxWidth(), padId, packMultiple);
    }
    return TokenBatch.pack(data, rows, width.of(data, rows), padId);
  }
}
