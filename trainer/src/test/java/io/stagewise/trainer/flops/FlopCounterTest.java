package io.stagewise.trainer.flops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import org.junit.jupiter.api.Test;

class FlopCounterTest {

  @Test
  void smallCpuBaselineMatchesAHandCount() {
    // 4 layers, width 128, 4 heads (MHA), MLP 512, vocab 260, LM head, batch 2 × 64 tokens.
    ModelConfig config = ModelPresets.get("small-cpu", 260);
    long tokens = 2 * 64;
    long qkv = 2 * tokens * 128 * 384;          // 12_582_912
    long scores = 2 * 2 * 4 * 64 * 64 * 32;     //  2_097_152
    long mix = scores;                          //  2_097_152
    long proj = 2 * tokens * 128 * 128;         //  4_194_304
    long mlp = 2 * tokens * 128 * 512 * 2;      // 33_554_432
    long head = 2 * tokens * 128 * 260;         //  8_519_680
    long forward = 4 * (qkv + scores + mix + proj + mlp) + head;
    assertEquals(226_623_488L, forward);
    assertEquals(forward, FlopCounter.forwardFlops(config, 2, 64));
    assertEquals(3 * forward, FlopCounter.trainingFlops(config, 2, 64));
  }

  @Test
  void moeWithGroupedQueryAttentionCountsActiveExpertsAndSmallerKv() {
    // 2 layers, width 64, 8 heads over 2 kv heads (head dim 8), MLP 256, 4 experts top-2, vocab 100,
    // batch 1 × 16 tokens.
    ModelConfig config = ModelPresets.get("tiny", 100).withSize(2, 8, 64).withKvHeads(2).withMoe(4, 2)
        .withContextLength(16);
    long tokens = 16;
    long qkv = 2 * tokens * 64 * (8 + 2 * 2) * 8;   //   196_608
    long scores = 2 * 8 * 16 * 16 * 8;              //    32_768
    long proj = 2 * tokens * 64 * 64;               //   131_072
    long router = 2 * tokens * 64 * 4;              //     8_192
    long experts = 2 * (2 * tokens * 64 * 256 * 2); // 2_097_152
    long head = 2 * tokens * 64 * 100;              //   204_800
    long forward = 2 * (qkv + 2 * scores + proj + router + experts) + head;
    assertEquals(5_201_920L, forward);
    assertEquals(forward, FlopCounter.forwardFlops(config, 1, 16));
  }

  @Test
  void scalarHeadCostsOneOutput() {
    ModelConfig lm = ModelPresets.get("tiny", 100);
    long difference = FlopCounter.forwardFlops(lm, 1, 8)
        - FlopCounter.forwardFlops(lm.withHead(ModelConfig.Head.SCALAR), 1, 8);
    assertEquals(2L * 8 * 64 * (100 - 1), difference);
  }

  @Test
  void sequencesLongerThanTheContextAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> FlopCounter.forwardFlops(ModelPresets.get("tiny", 100), 1, 129));
  }
}
