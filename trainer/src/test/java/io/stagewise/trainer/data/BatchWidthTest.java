package io.stagewise.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class BatchWidthTest {

  private static final int PAD = 99;
  private static final TokenSequences DATA = new TokenSequences(
      new int[][] {{1, 2, 3}, {4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
      new boolean[][] {{false, true, true}, {false, false, true, true, true, true}, new boolean[12]});

  @Test
  void longestRowRoundsItsPositionsUpToTheMultipleAndStopsAtTheMaximum() {
    BatchWidth width = BatchWidth.longestRow(9, 4);
    // 3 tokens are 2 positions, rounded up to 4, plus the target-only one.
    assertEquals(5, width.of(DATA, new int[] {0}));
    // 6 tokens: 5 positions, rounded up to 8, plus one; the maximum is 9.
    assertEquals(9, width.of(DATA, new int[] {0, 1}));
    assertEquals(9, width.of(DATA, new int[] {2, 0}), "a longer row is cut at the maximum");
    assertEquals(9, BatchWidth.fixed(9).of(DATA, new int[] {0}));
    assertThrows(IllegalArgumentException.class, () -> BatchWidth.longestRow(9, 0));
    assertThrows(IllegalArgumentException.class, () -> BatchWidth.fixed(1));
  }

  @Test
  void aNarrowBatchHoldsTheWideBatchsRowsWithoutItsTrailingPadding() {
    TokenBatch wide = TokenBatch.pack(DATA, new int[] {0, 1}, 9, PAD);
    TokenBatch narrow = TokenBatch.pack(DATA, new int[] {0, 1}, BatchWidth.longestRow(9, 2).of(DATA,
        new int[] {0, 1}), PAD);

    try (NDManager manager = NDManager.newBaseManager()) {
      assertArrayEquals(new int[] {1, 2, 3, PAD, PAD, PAD, PAD, 4, 5, 6, 7, 8, 9, PAD},
          narrow.tokens(manager).toIntArray());
    }
    assertEquals(wide.responseTargets(), narrow.responseTargets());
    assertEquals(wide.presentTargets(), narrow.presentTargets());
  }

  @Test
  void streamsOfEitherWidthDrawTheSameRows() {
    ShuffledBatches wide = new ShuffledBatches(DATA, 2, 13, PAD, 3, DataPosition.START);
    ShuffledBatches narrow = new ShuffledBatches(DATA, 2, BatchWidth.longestRow(13, 4), PAD, 3, DataPosition.START);
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int b = 0; b < 3; b++) {
        TokenBatch w = wide.next();
        TokenBatch n = narrow.next();
        assertEquals(w.responseTargets(), n.responseTargets());
        int[] wideTokens = w.tokens(manager).toIntArray();
        int[] narrowTokens = n.tokens(manager).toIntArray();
        for (int r = 0; r < 2; r++) {
          for (int t = 0; t < n.width(); t++) {
            assertEquals(wideTokens[r * w.width() + t], narrowTokens[r * n.width() + t]);
          }
        }
      }
    }
    assertEquals(wide.position(), narrow.position());
  }
}
