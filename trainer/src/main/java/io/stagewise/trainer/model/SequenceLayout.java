package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Where the new tokens of a forward call sit: their positions and which keys are padding.
 *
 * <p>Without a mask every row counts positions from the start of the cache. With an attention mask
 * (1 = real token, 0 = padding) a token's position is the number of real tokens before it in its row,
 * so left padding shifts nothing, and padding keys get a {@link ForwardPass#MASKED} bias.
 *
 * @param positions one row per batch row, or a single row shared by all rows
 * @param paddingBias (B × keys) additive bias, or null when no key is padding
 * @param realTokens (B × steps) 1 for each real new token, 0 for padding; null when no new token is padding
 * @param segmentBias (B × steps × steps) additive bias hiding keys of other packed sequences, or null when rows
 *     are not packed
 */
record SequenceLayout(long[][] positions, float[] paddingBias, float[] realTokens, float[] segmentBias) {

  static SequenceLayout unpadded(int past, int steps) {
    long[][] positions = new long[1][steps];
    for (int t = 0; t < steps; t++) {
      positions[0][t] = past + t;
    }
    return new SequenceLayout(positions, null, null, null);
  }

  /**
   * The layout of packed rows ({@link PackedSegments}): positions restart at 0 where a sequence starts, and a
   * query sees only keys of its own sequence (the causal mask does the rest). Right padding is a segment of its
   * own, marked not real so that MoE statistics leave it out.
   */
  static SequenceLayout packed(PackedSegments segments, int batch, int steps) {
    if (segments.rows() != batch || segments.width() < steps) {
      throw new IllegalArgumentException("packed segments cover " + segments.rows() + " rows of "
          + segments.width() + " tokens but the tokens are (" + batch + ", " + steps + ")");
    }
    long[][] positions = new long[batch][steps];
    float[] real = new float[batch * steps];
    float[] bias = new float[batch * steps * steps];
    boolean padded = false;
    for (int b = 0; b < batch; b++) {
      long position = 0;
      for (int t = 0; t < steps; t++) {
        int segment = segments.segment(b, t);
        position = t > 0 && segment == segments.segment(b, t - 1) ? position + 1 : 0;
        positions[b][t] = position;
        real[b * steps + t] = segment == PackedSegments.PADDING ? 0f : 1f;
        padded |= segment == PackedSegments.PADDING;
        for (int j = 0; j < t; j++) {
          if (segments.segment(b, j) != segment) {
            bias[(b * steps + t) * steps + j] = ForwardPass.MASKED;
          }
        }
      }
    }
    return new SequenceLayout(positions, null, padded ? real : null, bias);
  }

  /** The layout a (batch, past + steps) attention mask describes. */
  static SequenceLayout of(NDArray mask, int batch, int past, int steps) {
    int keys = past + steps;
    if (!mask.getShape().equals(new Shape(batch, keys))) {
      throw new IllegalArgumentException("attentionMask must be (batch, cached + new tokens) = "
          + new Shape(batch, keys) + ", got " + mask.getShape());
    }
    long[] flags;
    try (NDArray copy = mask.toType(DataType.INT64, true)) {
      flags = copy.toLongArray();
    }
    long[][] positions = new long[batch][steps];
    float[] bias = new float[batch * keys];
    float[] real = new float[batch * steps];
    boolean padded = false;
    boolean newPadding = false;
    for (int b = 0; b < batch; b++) {
      long seen = 0;
      for (int j = 0; j < keys; j++) {
        if (flags[b * keys + j] != 0) {
          seen++;
        } else {
          bias[b * keys + j] = ForwardPass.MASKED;
          padded = true;
        }
        if (j >= past) {
          positions[b][j - past] = Math.max(seen - 1, 0);
          real[b * steps + j - past] = flags[b * keys + j] != 0 ? 1f : 0f;
          newPadding |= flags[b * keys + j] == 0;
        }
      }
    }
    return new SequenceLayout(positions, padded ? bias : null, newPadding ? real : null, null);
  }
}
