package io.stagewise.trainer.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The order in which a stream visits its rows: each epoch is a permutation that is a pure function of
 * (seed, epoch), taken a batch at a time, so a stream is reproducible and can restart at any
 * {@link DataPosition}. The tail of an epoch shorter than a batch is skipped, keeping every batch one shape.
 */
public final class EpochOrder {
  private final int rows;
  private final int batchSize;
  private final long seed;
  private long epoch;
  private int offset;
  private int[] permutation;

  /** {@code what} names the rows in errors ("training rows", "training pairs"). */
  public EpochOrder(int rows, int batchSize, long seed, DataPosition start, String what) {
    if (rows < batchSize) {
      throw new IllegalArgumentException("the data has " + rows + " " + what + ", fewer than one batch of "
          + batchSize);
    }
    if (start.offset() > rows) {
      throw new IllegalArgumentException("data position offset " + start.offset() + " is beyond the " + rows
          + " " + what);
    }
    this.rows = rows;
    this.batchSize = batchSize;
    this.seed = seed;
    this.epoch = start.epoch();
    this.offset = (int) start.offset();
    this.permutation = permutation(rows, seed, epoch);
  }

  /** The position of the batch {@link #nextBatch()} returns next. */
  public DataPosition position() {
    return new DataPosition(epoch, offset);
  }

  /** The row indices of the next batch. */
  public int[] nextBatch() {
    if (offset + batchSize > permutation.length) {
      epoch++;
      offset = 0;
      permutation = permutation(rows, seed, epoch);
    }
    int[] batch = Arrays.copyOfRange(permutation, offset, offset + batchSize);
    offset += batchSize;
    return batch;
  }

  /** A Fisher–Yates permutation of {@code [0, n)} seeded by (seed, epoch). */
  public static int[] permutation(int n, long seed, long epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }
}
