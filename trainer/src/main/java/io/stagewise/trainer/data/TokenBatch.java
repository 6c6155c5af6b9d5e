package io.stagewise.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import io.stagewise.trainer.model.PackedSegments;
import java.util.Arrays;

/**
 * A batch of token rows packed into direct buffers: {@code rows × width} int32 tokens (width = sequence
 * length + 1, so every row yields {@code width − 1} next-token targets), a float32 loss mask (1 on response
 * tokens) and a float32 presence mask (1 on real tokens, 0 on right padding). Per-row target counts are kept on
 * the host so that losses can be normalised by the batch's token count before any tensor is read back.
 *
 * <p>A packed batch ({@link #packTogether}) holds several rows back to back in each context row, with their
 * {@link PackedSegments}; a row's first token is marked 0 in both masks, since no target is predicted across a
 * boundary, so each row counts exactly the targets it counts unpacked.
 */
public final class TokenBatch {

  private final int rows;
  private final int width;
  private final ByteBuffer tokens;
  private final ByteBuffer lossMask;
  private final ByteBuffer present;
  private final int[] responseTargets;
  private final int[] presentTargets;
  private final PackedSegments segments;
  private final int[][] sequenceLengths;

  private TokenBatch(int rows, int width, ByteBuffer tokens, ByteBuffer lossMask, ByteBuffer present,
      int[] responseTargets, int[] presentTargets, PackedSegments segments, int[][] sequenceLengths) {
    this.rows = rows;
    this.width = width;
    this.tokens = tokens;
    this.lossMask = lossMask;
    this.present = present;
    this.responseTargets = responseTargets;
    this.presentTargets = presentTargets;
    this.segments = segments;
    this.sequenceLengths = sequenceLengths;
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
    // Each row's tokens go into the direct buffer in one bulk copy; padding is one fill per row.
    IntBuffer tokenInts = tokens.asIntBuffer();
    FloatBuffer lossFloats = lossMask.asFloatBuffer();
    FloatBuffer presentFloats = present.asFloatBuffer();
    int[] padding = new int[width];
    Arrays.fill(padding, padId);
    int[] response = new int[rows];
    int[] real = new int[rows];
    for (int r = 0; r < rows; r++) {
      int[] ids = data.inputIds()[rowIndices[r]];
      boolean[] mask = data.lossMask()[rowIndices[r]];
      int length = Math.min(ids.length, width);
      tokenInts.put(ids, 0, length).put(padding, 0, width - length);
      for (int t = 0; t < width; t++) {
        boolean isReal = t < length;
        boolean counted = isReal && mask[t];
        lossFloats.put(counted ? 1f : 0f);
        presentFloats.put(isReal ? 1f : 0f);
        if (t > 0) {
          response[r] += counted ? 1 : 0;
        }
      }
      real[r] = Math.max(0, length - 1);
    }
    return new TokenBatch(rows, width, tokens, lossMask, present, response, real, null, null);
  }

  /**
   * Packs the given rows back to back into contexts of {@code width} tokens ({@link GreedyPacking}), their
   * number rounded up to a multiple of {@code packMultiple}, right-padded with {@code padId}.
   */
  public static TokenBatch packTogether(TokenSequences data, int[] rowIndices, int width, int padId,
      int packMultiple) {
    if (width < 2) {
      throw new IllegalArgumentException("width must be >= 2 (one input and one target), got " + width);
    }
    if (packMultiple < 1) {
      throw new IllegalArgumentException("packMultiple must be >= 1, got " + packMultiple);
    }
    GreedyPacking plan = GreedyPacking.of(data, rowIndices, width, packMultiple);
    int rows = plan.packs().size();
    ByteBuffer tokens = direct(rows * width);
    ByteBuffer lossMask = direct(rows * width);
    ByteBuffer present = direct(rows * width);
    int[] ids = new int[rows * width];
    int[] response = new int[rows];
    int[] real = new int[rows];
    int segment = 0;
    for (int r = 0; r < rows; r++) {
      int t = 0;
      int[] members = plan.packs().get(r);
      for (int m = 0; m < members.length; m++, segment++) {
        int[] rowIds = data.inputIds()[members[m]];
        boolean[] mask = data.lossMask()[members[m]];
        for (int i = 0; i < plan.lengths().get(r)[m]; i++, t++) {
          boolean target = i > 0;
          tokens.putInt(rowIds[i]);
          lossMask.putFloat(target && mask[i] ? 1f : 0f);
          present.putFloat(target ? 1f : 0f);
          ids[r * width + t] = segment;
          response[r] += target && mask[i] ? 1 : 0;
          real[r] += target ? 1 : 0;
        }
      }
      for (; t < width; t++) {
        tokens.putInt(padId);
        lossMask.putFloat(0f);
        present.putFloat(0f);
        ids[r * width + t] = PackedSegments.PADDING;
      }
    }
    return new TokenBatch(rows, width, tokens.flip(), lossMask.flip(), present.flip(), response, real,
        new PackedSegments(rows, width, ids), plan.lengths().toArray(int[][]::new));
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
        Arrays.copyOfRange(presentTargets, from, to), segments == null ? null : segments.rows(from, to),
        sequenceLengths == null ? null : Arrays.copyOfRange(sequenceLengths, from, to));
  }

  /** Which sequence each token belongs to when rows are packed together; null for one row per batch row. */
  public PackedSegments segments() {
    return segments;
  }

  /**
   * Tokens the model computes on for real: for a packed batch each sequence's tokens but its last (which is
   * only a target), padding excluded; otherwise every position of every row, as the batch is computed.
   */
  public long computedTokens() {
    if (sequenceLengths == null) {
      return (long) rows * sequenceLength();
    }
    long total = 0;
    for (int length : sequenceInputs()) {
      total += length;
    }
    return total;
  }

  /** Per packed sequence, the positions the model predicts from (its length − 1); null when not packed. */
  public int[] sequenceInputs() {
    if (sequenceLengths == null) {
      return null;
    }
    return Arrays.stream(sequenceLengths).flatMapToInt(Arrays::stream).map(l -> Math.max(0, l - 1)).toArray();
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
