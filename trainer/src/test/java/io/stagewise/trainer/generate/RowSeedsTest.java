package io.stagewise.trainer.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelPresets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Per-row sampling streams: a row's sample depends on its own seed, not on the rows batched with it. */
class RowSeedsTest {

  private static final int[][] PROMPTS = {{5, 9, 2, 7, 1}, {11}, {3, 8, 8, 20}};
  private static final long[] SEEDS = {101, 202, 303};

  @Test
  void aRowSamplesTheSameAloneAsInABatch() {
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(ModelPresets.get("tiny", 41).withContextLength(24), manager, 3);
      Generator generator = new Generator(model, GenerationConfig.sampling(12, 1.0f, 0, -1, 0));
      int[][] batched = generator.generate(manager, PROMPTS, SEEDS);
      for (int b = 0; b < PROMPTS.length; b++) {
        int[][] alone = generator.generate(manager, new int[][] {PROMPTS[b]}, new long[] {SEEDS[b]});
        assertArrayEquals(batched[b], alone[0], "row " + b);
      }
      int[][] reseeded = generator.generate(manager, PROMPTS, new long[] {101, 203, 303});
      assertFalse(Arrays.equals(batched[1], reseeded[1]), "another seed, another sample");
      assertThrows(IllegalArgumentException.class, () -> generator.generate(manager, PROMPTS, new long[] {1}));
    }
  }
}
