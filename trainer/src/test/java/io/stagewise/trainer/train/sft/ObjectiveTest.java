package io.stagewise.trainer.train.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.train.Objective;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The objectives on fixed logits, so that only the targets (not the model's context) change. */
class ObjectiveTest {

  private static final int VOCAB = 7;
  private static final int PAD = 6;
  // Row: 3 prompt tokens, 3 response tokens, then 2 pads at width 8.
  private static final int[] IDS = {1, 2, 3, 4, 5, 0};
  private static final boolean[] MASK = {false, false, false, true, true, true};

  private NDManager manager;
  private NDArray logits;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    manager.getEngine().setRandomSeed(3);
    logits = manager.randomNormal(new Shape(1, 7, VOCAB));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @Test
  void sftCountsResponseTargetsOnly() {
    Objective sft = new SftObjective();
    double base = sft.meanLoss(logits, batch(IDS), manager);

    // Positions 1 and 2 are prompt targets: changing them leaves the SFT loss unchanged.
    assertEquals(base, sft.meanLoss(logits, batch(new int[] {1, 6, 0, 4, 5, 0}), manager), 0);
    // Position 4 is a response target.
    assertNotEquals(base, sft.meanLoss(logits, batch(new int[] {1, 2, 3, 4, 2, 0}), manager));
    assertEquals(3, sft.targets(batch(IDS)));
  }

  @Test
  void sftMeanIsCrossEntropyOverResponseTargets() {
    float[] l = logits.toFloatArray();
    double expected = 0;
    for (int t = 2; t < 5; t++) { // targets 3..5 (ids 4, 5, 0) are predicted at positions 2..4
      expected += crossEntropy(l, t, IDS[t + 1]);
    }
    assertEquals(expected / 3, new SftObjective().meanLoss(logits, batch(IDS), manager), 1e-5);
  }

  @Test
  void lmCountsEveryRealTargetButNotPadding() {
    Objective lm = new LmObjective();
    double base = lm.meanLoss(logits, batch(IDS), manager);

    assertNotEquals(base, lm.meanLoss(logits, batch(new int[] {1, 6, 3, 4, 5, 0}), manager));
    assertEquals(5, lm.targets(batch(IDS)));
    float[] l = logits.toFloatArray();
    double expected = 0;
    for (int t = 0; t < 5; t++) {
      expected += crossEntropy(l, t, IDS[t + 1]);
    }
    assertEquals(expected / 5, base, 1e-5);
  }

  private static TokenBatch batch(int[] ids) {
    return TokenBatch.pack(new TokenSequences(new int[][] {ids}, new boolean[][] {MASK}), new int[] {0}, 8, PAD);
  }

  private static double crossEntropy(float[] logits, int position, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < VOCAB; v++) {
      max = Math.max(max, logits[position * VOCAB + v]);
    }
    double sum = 0;
    for (int v = 0; v < VOCAB; v++) {
      sum += Math.exp(logits[position * VOCAB + v] - max);
    }
    return max + Math.log(sum) - logits[position * VOCAB + target];
  }
}
