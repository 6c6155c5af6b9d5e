package io.stagewise.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PreferenceBatchTest {

  private static final int PAD = 0;

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void chosenRowsComeFirstWithAResponseMaskAndTheLastRealToken() {
    PreferencePairs data = new PreferencePairs(new int[][] {{1, 2}, {3}}, new int[][] {{4, 5}, {6}},
        new int[][] {{7}, {8, 9, 10}});

    PreferenceBatch batch = PreferenceBatch.pack(data, new int[] {1, 0}, 5, PAD);

    assertEquals(2, batch.pairs());
    assertArrayEquals(new int[] {
      3, 6, 0, 0, 0, // pair 1 chosen
      1, 2, 4, 5, 0, // pair 0 chosen
      3, 8, 9, 10, 0, // pair 1 rejected
      1, 2, 7, 0, 0}, batch.tokens(manager).toIntArray());
    assertArrayEquals(new float[] {
      0, 1, 0, 0, 0,
      0, 0, 1, 1, 0,
      0, 1, 1, 1, 0,
      0, 0, 1, 0, 0}, batch.responseMask(manager).toFloatArray());
    assertArrayEquals(new long[] {1, 3, 3, 2}, batch.lastTokenIndex(manager).toLongArray());
    assertEquals(7, batch.responseTokens());

    PreferenceBatch second = batch.slice(1, 2);
    assertArrayEquals(new int[] {1, 2, 4, 5, 0, 1, 2, 7, 0, 0}, second.tokens(manager).toIntArray());
    assertArrayEquals(new long[] {3, 2}, second.lastTokenIndex(manager).toLongArray());
  }

  @Test
  void longPairsLoseThePromptStartThenTheResponseEndSharingOnePrompt() {
    int[] prompt = {1, 2, 3, 4, 5, 6};
    PreferencePairs data = new PreferencePairs(new int[][] {prompt, prompt},
        new int[][] {{7, 8}, {7, 8, 9, 10, 11, 12}}, new int[][] {{9}, {13}});

    PreferenceBatch batch = PreferenceBatch.pack(data, new int[] {0, 1}, 6, PAD);

    int[] tokens = batch.tokens(manager).toIntArray();
    // Pair 0: the longer response (2 tokens) fits after the last 4 prompt tokens.
    assertArrayEquals(new int[] {3, 4, 5, 6, 7, 8}, Arrays.copyOfRange(tokens, 0, 6));
    assertArrayEquals(new int[] {3, 4, 5, 6, 9, 0}, Arrays.copyOfRange(tokens, 12, 18));
    // Pair 1: the prompt keeps half the width, the response is cut from the right.
    assertArrayEquals(new int[] {4, 5, 6, 7, 8, 9}, Arrays.copyOfRange(tokens, 6, 12));
    assertArrayEquals(new int[] {4, 5, 6, 13, 0, 0}, Arrays.copyOfRange(tokens, 18, 24));
  }

  @Test
  void shuffledBatchesAreSeededAndResumable() {
    PreferencePairs data = pairs(10);
    ShuffledPreferenceBatches stream = new ShuffledPreferenceBatches(data, 3, 4, PAD, 5, DataPosition.START);
    List<Integer> epoch0 = firstPrompts(stream, 3);
    DataPosition saved = stream.position();
    assertEquals(new DataPosition(0, 9), saved);
    List<Integer> next = firstPrompts(stream, 4);

    assertEquals(9, new HashSet<>(epoch0).size(), "no pair twice within an epoch");
    assertEquals(next, firstPrompts(new ShuffledPreferenceBatches(data, 3, 4, PAD, 5, saved), 4));
    assertEquals(epoch0, firstPrompts(new ShuffledPreferenceBatches(data, 3, 4, PAD, 5, DataPosition.START), 3));
    assertNotEquals(epoch0, firstPrompts(new ShuffledPreferenceBatches(data, 3, 4, PAD, 6, DataPosition.START), 3));
  }

  @Test
  void heldOutBatchesKeepStoredOrder() {
    List<PreferenceBatch> batches = PreferenceBatch.inOrder(pairs(5), 2, 10, 4, PAD);
    assertEquals(3, batches.size());
    assertEquals(1, batches.get(2).pairs());
    assertEquals(List.of(0, 1), prompts(batches.get(0)));
  }

  @Test
  void badInputIsNamed() {
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> PreferenceBatch.pack(
        new PreferencePairs(new int[][] {{1}}, new int[][] {{}}, new int[][] {{2}}), new int[] {0}, 4, PAD));
    assertTrue(empty.getMessage().contains("pair 0") && empty.getMessage().contains("chosen"), empty.getMessage());
    IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class,
        () -> pairs(3).checkVocabulary(2, "prefs"));
    assertTrue(vocab.getMessage().startsWith("prefs: row 2: prompt_ids"), vocab.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new ShuffledPreferenceBatches(pairs(2), 3, 4, PAD, 1, DataPosition.START));
  }

  private static PreferencePairs pairs(int n) {
    int[][] prompt = new int[n][];
    int[][] chosen = new int[n][];
    int[][] rejected = new int[n][];
    for (int i = 0; i < n; i++) {
      prompt[i] = new int[] {i};
      chosen[i] = new int[] {1};
      rejected[i] = new int[] {0};
    }
    return new PreferencePairs(prompt, chosen, rejected);
  }

  private List<Integer> firstPrompts(ShuffledPreferenceBatches stream, int batches) {
    List<Integer> out = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      out.addAll(prompts(stream.next()));
    }
    return out;
  }

  /** The first token (the prompt id) of each chosen row. */
  private List<Integer> prompts(PreferenceBatch batch) {
    int[] tokens = batch.tokens(manager).toIntArray();
    List<Integer> out = new ArrayList<>();
    for (int p = 0; p < batch.pairs(); p++) {
      out.add(tokens[p * batch.width()]);
    }
    return out;
  }
}
