package io.stagewise.trainer.data;

/**
 * How wide a batch of token rows is packed: always {@code maxWidth} tokens, or only as wide as its longest row
 * with the positions rounded up to a multiple of {@code multiple} (and never beyond {@code maxWidth}).
 *
 * <p>Padding to the longest row computes the same loss as padding to the context: padding is on the right,
 * attention is causal, and padding positions are never targets, so no counted target sees a padding token.
 * It keeps the batches (which rows, in which order) and so the training curve; only the shape changes. The
 * rounding keeps the number of distinct shapes small (an engine that plans kernels per shape plans a few).
 *
 * @param maxWidth widest batch: tokens per row, the context plus the final target-only position
 * @param multiple positions a batch is rounded up to a multiple of; 0 packs every batch {@code maxWidth} wide
 */
public record BatchWidth(int maxWidth, int multiple) {

  /** The rounding {@link io.stagewise.trainer.train.sft.TrainRun} uses: 16 positions. */
  public static final int POSITION_MULTIPLE = 16;

  public BatchWidth {
    if (maxWidth < 2) {
      throw new IllegalArgumentException("width must be >= 2 (one input and one target), got " + maxWidth);
    }
    if (multiple < 0) {
      throw new IllegalArgumentException("multiple must be >= 0, got " + multiple);
    }
  }

  /** Every batch {@code width} tokens wide (rows truncated or padded to it). */
  public static BatchWidth fixed(int width) {
    return new BatchWidth(width, 0);
  }

  /** Each batch as wide as its longest row, positions rounded up to {@code multiple}, at most {@code maxWidth}. */
  public static BatchWidth longestRow(int maxWidth, int multiple) {
    if (multiple < 1) {
      throw new IllegalArgumentException("multiple must be >= 1, got " + multiple);
    }
    return new BatchWidth(maxWidth, multiple);
  }

  /** The width of a batch of {@code rows} of {@code data}. */
  public int of(TokenSequences data, int[] rows) {
    if (multiple == 0) {
      return maxWidth;
    }
    int longest = 2;
    for (int row : rows) {
      longest = Math.max(longest, data.inputIds()[row].length);
    }
    int positions = (longest - 1 + multiple - 1) / multiple * multiple;
    return Math.min(maxWidth, positions + 1);
  }
}
