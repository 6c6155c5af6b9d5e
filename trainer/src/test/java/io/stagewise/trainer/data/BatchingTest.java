package io.stagewise.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchingTest {

  private static final int PAD = 99;

  @Test
  void packRightPadsTruncatesAndCountsTargets() {
    TokenSequences data = new TokenSequences(
        new int[][] {{1, 2, 3}, {4, 5, 6, 7, 8, 9}},
        new boolean[][] {{false, true, true}, {false, false, true, true, true, true}});

    TokenBatch batch = TokenBatch.pack(data, new int[] {0, 1}, 5, PAD);

    try (NDManager manager = NDManager.newBaseManager()) {
      assertArrayEquals(new int[] {1, 2, 3, PAD, PAD, 4, 5, 6, 7, 8}, batch.tokens(manager).toIntArray());
      assertArrayEquals(new float[] {0, 1, 1, 0, 0, 0, 0, 1, 1, 1}, batch.lossMask(manager).toFloatArray());
      assertArrayEquals(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, batch.present(manager).toFloatArray());
      // Targets are positions 1..4: row 0 has 2 response / 2 real, row 1 has 3 response / 4 real.
      assertEquals(5, batch.responseTargets());
      assertEquals(6, batch.presentTargets());
      TokenBatch second = batch.slice(1, 2);
      assertArrayEquals(new int[] {4, 5, 6, 7, 8}, second.tokens(manager).toIntArray());
      assertArrayEquals(new float[] {0, 0, 1, 1, 1}, second.lossMask(manager).toFloatArray());
      assertEquals(3, second.responseTargets());
      assertEquals(4, second.presentTargets());
    }
  }

  @Test
  void shuffledBatchesVisitEveryRowOncePerEpochAndDependOnSeedAndEpoch() {
    TokenSequences data = rows(10);
    ShuffledBatches batches = new ShuffledBatches(data, 3, 2, PAD, 42, DataPosition.START);

    List<Integer> epoch0 = firstTokens(batches, 3);
    assertEquals(new DataPosition(0, 9), batches.position());
    List<Integer> epoch1 = firstTokens(batches, 3);
    assertEquals(new DataPosition(1, 9), batches.position());

    assertEquals(9, new HashSet<>(epoch0).size(), "no row twice within an epoch");
    assertNotEquals(epoch0, epoch1, "each epoch has its own order");
    assertEquals(epoch0, firstTokens(new ShuffledBatches(data, 3, 2, PAD, 42, DataPosition.START), 3));
    assertNotEquals(epoch0, firstTokens(new ShuffledBatches(data, 3, 2, PAD, 43, DataPosition.START), 3));
    Set<Integer> permutation = new HashSet<>();
    Arrays.stream(EpochOrder.permutation(10, 42, 0)).forEach(permutation::add);
    assertEquals(10, permutation.size());
  }

  @Test
  void restartingAtAPositionContinuesTheSameStream() {
    TokenSequences data = rows(10);
    ShuffledBatches uninterrupted = new ShuffledBatches(data, 4, 2, PAD, 7, DataPosition.START);
    firstTokens(uninterrupted, 3);
    DataPosition saved = uninterrupted.position();
    List<Integer> expected = firstTokens(uninterrupted, 5);

    List<Integer> resumed = firstTokens(new ShuffledBatches(data, 4, 2, PAD, 7, saved), 5);

    assertEquals(expected, resumed);
  }

  @Test
  void heldOutBatchesKeepStoredOrderAndAShortLastBatch() {
    List<TokenBatch> batches = HeldOutBatches.first(rows(5), 2, 10, 2, PAD);
    assertEquals(3, batches.size());
    assertEquals(1, batches.get(2).rows());
    assertEquals(2, HeldOutBatches.first(rows(5), 2, 2, 2, PAD).size());
  }

  @Test
  void tooFewRowsForABatchIsAnError() {
    assertThrows(IllegalArgumentException.class,
        () -> new ShuffledBatches(rows(2), 3, 2, PAD, 1, DataPosition.START));
  }

  private static TokenSequences rows(int n) {
    int[][] ids = new int[n][];
    boolean[][] mask = new boolean[n][];
    for (int i = 0; i < n; i++) {
      ids[i] = new int[] {i, i};
      mask[i] = new boolean[] {true, true};
    }
    return new TokenSequences(ids, mask);
  }

  private static List<Integer> firstTokens(ShuffledBatches batches, int count) {
    List<Integer> out = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int b = 0; b < count; b++) {
        TokenBatch batch = batches.next();
        int[] tokens = batch.tokens(manager).toIntArray();
        for (int r = 0; r < batch.rows(); r++) {
          out.add(tokens[r * batch.width()]);
        }
      }
    }
    return out;
  }
}
