package io.stagewise.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A batch of token rows packed into direct buffers: {@code rows × width} int32 tokens (width = sequence
 * length + 1, so every row yields {@code width − 1} next-token targets), a float32 loss mask (1 on response
 * tokens) and a float32 presence mask (1 on real tokens, 0 on right padding). Per-row target counts are kept on
 * the host so that losses can be normalised by the batch's token count before any tensor is read back.
 */
public final class TokenBatch {

  private final int rows;
  private final int width;
  private final ByteBuffer tokens;
  private final ByteBuffer lossMask;
  private final ByteBuffer present;
  private final int[] responseTargets;
  private final int[] presentTargets;

  private TokenBatch(int rows, int width, ByteBuffer tokens, ByteBuffer lossMask, ByteBuffer present,
      int[] responseTargets, int[] presentTargets) {
    this.rows = rows;
    this.width = width;
    this.tokens = tokens;
    this.lossMask = lossMask;
    this.present = present;
    this.responseTargets = responseTargets;
    this.presentTargets = presentTargets;
  }

  /** Packs the given rows, truncated to {@code width} tokens and right-padded with {@code padId}. */
  public static TokenBatch pack(TokenSequences data, int[] rowIndices, int width, int padId) {
    if (width < 2) {
      throw new IllegalArgumentException("width must be >= 2 (one input and one target), got " + width);
    }
    int rows = rowIndices.length;
    ByteBuffer tokens = direct(rows * width);
    ByteBuffer lossMask = direct(rows * width);
    ByteBuffer present = direct(rows * width);
    int[] response = new int[rows];
    int[] real = new int[rows];
    for (int r = 0; r < rows; r++) {
      int[] ids = data.inputIds()[rowIndices[r]];
      boolean[] mask = data.lossMask()[rowIndices[r]];
      int length = Math.min(ids.length, width);
      for (int t = 0; t < width; t++) {
        boolean isReal = t < length;
        boolean counted = isReal && mask[t];
        tokens.putInt(isReal ? ids[t] : padId);
        lossMask.putFloat(counted ? 1f : 0f);
        present.putFloat(isReal ? 1f : 0f);
        if (t > 0) {
          response[r] += counted ? 1 : 0;
          real[r] += isReal ? 1 : 0;
        }
      }
    }
    return new TokenBatch(rows, width, tokens.flip(), lossMask.flip(), present.flip(), response, real);
  }

  /** Rows {@code [from, to)} as a batch sharing this batch's buffers (micro-batches, data-parallel slices). */
  public TokenBatch slice(int from, int to) {
    if (from < 0 || to > rows || from >= to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of a " + rows + "-row batch");
    }
    int bytesPerRow = width * Integer.BYTES;
    return new TokenBatch(to - from, width, region(tokens, from, to, bytesPerRow),
        region(lossMask, from, to, bytesPerRow), region(present, from, to, bytesPerRow),
        Arrays.copyOfRange(responseTargets, from, to),
        Arrays.copyOfRange(presentTargets, from, to));
  }

  public int rows() {
    return rows;
  }

  /** Tokens per row including the final target-only position. */
  public int width() {
    return width;
  }

  /** Positions the model sees per row: {@code width − 1}. */
  public int sequenceLength() {
    return width - 1;
  }

  /** Targets that SFT counts: response tokens at positions 1..width−1. */
  public long responseTargets() {
    return sum(responseTargets);
  }

  /** Targets that LM counts: real (non-pad) tokens at positions 1..width−1. */
  public long presentTargets() {
    return sum(presentTargets);
  }

  /** The (rows, width) int32 token array, created in {@code manager}. */
  public NDArray tokens(NDManager manager) {
    return manager.create(tokens.duplicate(), new Shape(rows, width), DataType.INT32);
  }

  /** The (rows, width) float32 response mask, created in {@code manager}. */
  public NDArray lossMask(NDManager manager) {
    return manager.create(lossMask.duplicate(), new Shape(rows, width), DataType.FLOAT32);
  }

  /** The (rows, width) float32 non-pad mask, created in {@code manager}. */
  public NDArray present(NDManager manager) {
    return manager.create(present.duplicate(), new Shape(rows, width), DataType.FLOAT32);
  }

  private static ByteBuffer direct(int elements) {
    return ByteBuffer.allocateDirect(elements * 4).order(ByteOrder.nativeOrder());
  }

  private static ByteBuffer region(ByteBuffer buffer, int from, int to, int bytesPerRow) {
    return buffer.duplicate().position(from * bytesPerRow).limit(to * bytesPerRow).slice()
        .order(ByteOrder.nativeOrder());
  }

  private static long sum(int[] counts) {
    long total = 0;
    for (int c : counts) {
      total += c;
    }
    return total;
  }
}
