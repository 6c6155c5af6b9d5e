package io.stagewise.trainer.flops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stagewise.trainer.model.BlockSparsity;
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
  void swiGluCountsThreeMatricesPerMlp() {
    // tiny at vocab 100: 2 layers, width 64, MLP 256; batch 1 × 8 tokens. Only the MLP differs from dense.
    ModelConfig dense = ModelPresets.get("tiny", 100);
    ModelConfig swiglu = dense.withFeedForward(ModelConfig.Mlp.SWIGLU);
    long gateUpDown = 2L * 8 * 64 * 256 * 3;
    long fcProj = 2L * 8 * 64 * 256 * 2;
    assertEquals(dense.layers() * (gateUpDown - fcProj),
        FlopCounter.forwardFlops(swiglu, 1, 8) - FlopCounter.forwardFlops(dense, 1, 8));
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

  @Test
  void sparseAttentionCountsTheBlocksItComputes() {
    // tiny at context 16: 4 heads of 16, blocks of 4, 1 selected block, window of 1 block; batch 1 × 10 tokens.
    // Query blocks: [0,4) window 4 keys, no earlier block; [4,8) window 4 + 1 selected of 1 (no scoring);
    // [8,10) window 2 keys (short last block) + 1 selected of 2 (2 blocks scored).
    ModelConfig dense = ModelPresets.get("tiny", 100).withContextLength(16);
    ModelConfig sparse = dense.withAttention(ModelConfig.Attention.SPARSE)
        .withSparsity(new BlockSparsity(4, 1, 1));
    long perHead = 4 * (2 * 2 * 4) + 4 * (2 * 2 * (4 + 4)) + 2 * (2 * 2 * (2 + 4) + 2 * 2);
    long attention = 4 * 16 * perHead;
    long denseAttention = 2 * (2L * 4 * 10 * 10 * 16);
    long difference = FlopCounter.forwardFlops(dense, 1, 10) - FlopCounter.forwardFlops(sparse, 1, 10);
    assertEquals(dense.layers() * (denseAttention - attention), difference);
  }

  @Test
  void sparseAttentionSelectingEveryBlockCountsTheCausalBlockTriangle() {
    ModelConfig sparse = ModelPresets.get("tiny", 100).withAttention(ModelConfig.Attention.SPARSE)
        .withSparsity(new BlockSparsity(16, 8, 1));
    // 128 positions in 8 blocks of 16: query block i sees (i + 1) whole tiles, nothing is scored.
    long tiles = 8 * 9 / 2;
    long headDim = sparse.headDim();
    assertEquals(sparse.heads() * tiles * 16 * 16 * 2 * 2 * headDim,
        FlopCounter.sparseAttentionFlops(sparse, 1, 128));
  }

  @Test
  void noNormKeepsTheFinalLayerNormsParameters() {
    ModelConfig layerNorm = ModelPresets.get("tiny", 100);
    ModelConfig none = layerNorm.withNorm(ModelConfig.Norm.NONE);
    // Only the blocks' two LayerNorms per layer go; the final one (gain and shift) stays.
    assertEquals(FlopCounter.parameters(layerNorm) - layerNorm.layers() * 2 * 2 * 64, FlopCounter.parameters(none));
  }
}
