package io.stagewise.trainer.model;

import java.util.Arrays;

/**
 * Which sequence each token of a batch of packed rows belongs to: several sequences sit back to back in one
 * row, and the model keeps them apart — a token attends only to earlier tokens of its own sequence and its
 * position restarts at 0 where its sequence starts (learned positions and RoPE alike).
 *
 * @param rows rows of the batch
 * @param width tokens per row
 * @param ids row-major (rows × width) sequence ids; consecutive tokens with the same id form one sequence, and
 *     {@link #PADDING} marks right padding
 */
public record PackedSegments(int rows, int width, int[] ids) {

  /** The id of padding tokens: not a sequence, never a target. */
  public static final int PADDING = -1;

  public PackedSegments {
    if (rows < 0 || width < 1 || ids.length != rows * width) {
      throw new IllegalArgumentException("segment ids must be rows × width = " + rows + " × " + width + ", got "
          + ids.length);
    }
  }

  /** The sequence id of token {@code t} of row {@code row}. */
  public int segment(int row, int t) {
    return ids[row * width + t];
  }

  /** Whether token {@code t} of row {@code row} starts a sequence (its predecessor belongs to another one). */
  public boolean startsSequence(int row, int t) {
    int id = segment(row, t);
    return id != PADDING && (t == 0 || segment(row, t - 1) != id);
  }

  /** Rows {@code [from, to)}. */
  public PackedSegments rows(int from, int to) {
    return new PackedSegments(to - from, width, Arrays.copyOfRange(ids, from * width, to * width));
  }

}
