package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Block-sparse attention: causal whatever it selects, equal to standard attention (value and gradient) when
 * it may select every block, really sparse otherwise, and the same selection when decoding with the KV cache.
 */
class SparseAttentionTest {

  private static final int BATCH = 2;
  private static final int STEPS = 15;
  /** Blocks of 2 over 15 positions: a query in block 7 has 7 earlier blocks to choose from. */
  private static final BlockSparsity SPARSE = new BlockSparsity(2, 2, 1);
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static Stream<Arguments> variants() {
    ModelConfig base = ModelFixtures.tiny().withAttention(Attention.SPARSE);
    return Stream.of(
        Arguments.of("mha", base),
        Arguments.of("gqa+rope", base.withKvHeads(2).withPosition(Position.ROPE)),
        Arguments.of("mqa", base.withKvHeads(1)),
        Arguments.of("window-2", base.withSparsity(new BlockSparsity(3, 1, 2))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void changingAFutureTokenNeverChangesAnEarlierOutput(String name, ModelConfig base) {
    ModelConfig config = base.withSparsity(sparseOr(base));
    GptModel model = GptModel.create(config, manager, 11);
    int[] tokens = ModelFixtures.randomTokens(3, BATCH * STEPS);
    for (int changed : new int[] {3, 8, 13}) {
      int[] edited = tokens.clone();
      for (int b = 0; b < BATCH; b++) {
        edited[b * STEPS + changed] = (tokens[b * STEPS + changed] + 1) % ModelFixtures.VOCAB;
      }
      float[] before = ModelFixtures.outputs(model, manager, array(tokens), null);
      float[] after = ModelFixtures.outputs(model, manager, array(edited), null);
      float earlier = 0f;
      float later = 0f;
      for (int b = 0; b < BATCH; b++) {
        for (int t = 0; t < STEPS; t++) {
          for (int v = 0; v < ModelFixtures.VOCAB; v++) {
            int i = (b * STEPS + t) * ModelFixtures.VOCAB + v;
            float d = Math.abs(before[i] - after[i]);
            earlier = t < changed ? Math.max(earlier, d) : earlier;
            later = t >= changed ? Math.max(later, d) : later;
          }
        }
      }
      assertTrue(earlier < 1e-6f, name + ": an edit at " + changed + " moved earlier outputs by " + earlier);
      assertTrue(later > 1e-4f, name + ": the edit at " + changed + " changed nothing at all");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyBlockSelectedEqualsStandardInValueAndGradient(String name, ModelConfig base) {
    BlockSparsity geometry = base.sparsity();
    // As many selectable blocks as there are blocks: nothing is left out.
    ModelConfig all = base.withSparsity(new BlockSparsity(geometry.blockSize(), STEPS, geometry.localBlocks()));
    int[] tokens = ModelFixtures.randomTokens(5, BATCH * STEPS);
    GptModel standard = GptModel.create(all.withAttention(Attention.STANDARD), manager, 13);
    GptModel sparse = GptModel.create(all, manager, 13);
    assertArrayEquals(ModelFixtures.outputs(standard, manager, array(tokens), null),
        ModelFixtures.outputs(sparse, manager, array(tokens), null), 1e-6f, name + ": logits differ");
    assertGradientsEqual(name, standard, sparse, tokens);
  }

  @Test
  void aWindowCoveringTheContextEqualsStandardWithoutSelecting() {
    ModelConfig base = ModelFixtures.tiny().withAttention(Attention.SPARSE);
    ModelConfig window = base.withSparsity(new BlockSparsity(2, 0, 8)); // 8 blocks of 2 cover 15 positions
    int[] tokens = ModelFixtures.randomTokens(6, BATCH * STEPS);
    GptModel standard = GptModel.create(window.withAttention(Attention.STANDARD), manager, 19);
    GptModel sparse = GptModel.create(window, manager, 19);
    assertArrayEquals(ModelFixtures.outputs(standard, manager, array(tokens), null),
        ModelFixtures.outputs(sparse, manager, array(tokens), null), 1e-6f);
    assertGradientsEqual("window", standard, sparse, tokens);
  }

  @Test
  void fewerSelectedBlocksChangeOnlyTheQueriesThatHadMoreToChooseFrom() {
    ModelConfig base = ModelFixtures.tiny().withAttention(Attention.SPARSE).withSparsity(SPARSE);
    int[] tokens = ModelFixtures.randomTokens(7, BATCH * STEPS);
    float[] dense = ModelFixtures.outputs(GptModel.create(base.withAttention(Attention.STANDARD), manager, 23),
        manager, array(tokens), null);
    float[] sparse = ModelFixtures.outputs(GptModel.create(base, manager, 23), manager, array(tokens), null);
    // Blocks 0..2 (positions 0..5) have at most 2 earlier blocks: they select all, as standard attention.
    int vocab = ModelFixtures.VOCAB;
    for (int b = 0; b < BATCH; b++) {
      float head = 0f;
      float tail = 0f;
      for (int t = 0; t < STEPS; t++) {
        for (int v = 0; v < vocab; v++) {
          int i = (b * STEPS + t) * vocab + v;
          float d = Math.abs(dense[i] - sparse[i]);
          head = t < 6 ? Math.max(head, d) : head;
          tail = t >= 6 ? Math.max(tail, d) : tail;
        }
      }
      assertTrue(head < 1e-5f, "positions with every earlier block selected differ by " + head);
      assertTrue(tail > 1e-4f, "leaving blocks out changed nothing: the kernel is not sparse");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void decodingWithTheKvCacheSelectsWhatTheFullForwardSelects(String name, ModelConfig base) {
    GptModel model = GptModel.create(base.withSparsity(sparseOr(base)), manager, 29);
    int[] tokens = ModelFixtures.randomTokens(9, BATCH * STEPS);
    float[] full = ModelFixtures.outputs(model, manager, array(tokens), null);
    int prompt = 5;
    int vocab = ModelFixtures.VOCAB;
    try (NDManager run = manager.newSubManager(); KvCache cache = new KvCache(run, base.layers(), STEPS)) {
      NDArray all = run.create(tokens, new Shape(BATCH, STEPS));
      for (int start = 0; start < STEPS; start = start == 0 ? prompt : start + 1) {
        int length = start == 0 ? prompt : 1;
        try (NDManager step = run.newSubManager()) {
          NDArray piece = all.get(new NDIndex(":, {}:{}", start, start + length));
          piece.attach(step);
          float[] logits = model.forward(new ParameterStore(step, false), piece, null, cache, false).get(0)
              .toFloatArray();
          for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < length; t++) {
              for (int v = 0; v < vocab; v++) {
                float expected = full[(b * STEPS + start + t) * vocab + v];
                float actual = logits[(b * length + t) * vocab + v];
                assertEquals(expected, actual, 1e-4f, name + ": position " + (start + t) + " differs");
              }
            }
          }
        }
      }
    }
  }

  private static BlockSparsity sparseOr(ModelConfig base) {
    return base.sparsity().equals(BlockSparsity.REFERENCE) ? SPARSE : base.sparsity();
  }

  private static void assertGradientsEqual(String name, GptModel expected, GptModel actual, int[] tokens) {
    Map<String, float[]> want = ModelFixtures.gradients(expected, manager, array(tokens), null, () -> { });
    Map<String, float[]> got = ModelFixtures.gradients(actual, manager, array(tokens), null, () -> { });
    for (Map.Entry<String, float[]> e : want.entrySet()) {
      float scale = Math.max(1f, ModelFixtures.maxAbs(e.getValue()));
      float diff = ModelFixtures.maxAbsDiff(e.getValue(), got.get(e.getKey()));
      assertTrue(diff < 1e-5f * scale, name + ": gradient of " + e.getKey() + " differs by " + diff);
    }
  }

  private static NDArray array(int[] tokens) {
    return manager.create(tokens, new Shape(BATCH, STEPS));
  }
}
