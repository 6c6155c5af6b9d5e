package io.stagewise.trainer.data;

import java.util.ArrayList;
import java.util.List;

/** Evaluation batches: the first rows of a held-out set in stored order, so every evaluation sees the same data. */
public final class HeldOutBatches {

  private HeldOutBatches() {
  }

  /**
   * Up to {@code maxBatches} batches of {@code batchSize} rows (the last may be smaller) from the start of
   * {@code data}.
   */
  public static List<TokenBatch> first(TokenSequences data, int batchSize, int maxBatches, int width, int padId) {
    return first(data, batchSize, maxBatches, BatchWidth.fixed(width), padId);
  }

  /** As above, each batch packed as {@code width} says. */
  public static List<TokenBatch> first(TokenSequences data, int batchSize, int maxBatches, BatchWidth width,
      int padId) {
    List<TokenBatch> batches = new ArrayList<>();
    for (int start = 0; start < data.size() && batches.size() < maxBatches; start += batchSize) {
      int end = Math.min(start + batchSize, data.size());
      int[] rows = new int[end - start];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = start + i;
      }
      batches.add(TokenBatch.pack(data, rows, width.of(data, rows), padId));
    }
    return batches;
  }
}
