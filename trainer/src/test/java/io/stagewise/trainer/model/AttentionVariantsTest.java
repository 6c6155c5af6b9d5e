package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Causality of every attention/position/MLP combination, and the exact kernels (chunked, fused) ≡ standard in
 * value and gradient.
 */
class AttentionVariantsTest {

  private static final int BATCH = 2;
  private static final int STEPS = 11;
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
    ModelConfig base = ModelFixtures.tiny().withAttentionChunk(4);
    return Stream.of(
        Arguments.of("baseline", base),
        Arguments.of("rope", base.withPosition(Position.ROPE)),
        Arguments.of("nope+rmsnorm", base.withPosition(Position.NONE).withNorm(Norm.RMSNORM)),
        Arguments.of("gqa+rope", base.withKvHeads(2).withPosition(Position.ROPE)),
        Arguments.of("mqa+no-norm", base.withKvHeads(1).withNorm(Norm.NONE)),
        Arguments.of("moe", base.withMoe(4, 2)),
        Arguments.of("moe-top1+gqa+rope", base.withMoe(3, 1).withKvHeads(2).withPosition(Position.ROPE)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void changingAFutureTokenNeverChangesAnEarlierOutput(String name, ModelConfig base) {
    int changed = 6;
    int[] tokens = ModelFixtures.randomTokens(3, BATCH * STEPS);
    int[] edited = tokens.clone();
    for (int b = 0; b < BATCH; b++) {
      edited[b * STEPS + changed] = (tokens[b * STEPS + changed] + 1) % ModelFixtures.VOCAB;
    }
    for (Attention attention : List.of(Attention.STANDARD, Attention.CHUNKED, Attention.FUSED)) {
      GptModel model = GptModel.create(base.withAttention(attention), manager, 11);
      float[] before = ModelFixtures.outputs(model, manager, array(tokens), null);
      float[] after = ModelFixtures.outputs(model, manager, array(edited), null);
      int vocab = ModelFixtures.VOCAB;
      float earlier = 0f;
      float later = 0f;
      for (int b = 0; b < BATCH; b++) {
        for (int t = 0; t < STEPS; t++) {
          for (int v = 0; v < vocab; v++) {
            int i = (b * STEPS + t) * vocab + v;
            float d = Math.abs(before[i] - after[i]);
            if (t < changed) {
              earlier = Math.max(earlier, d);
            } else {
              later = Math.max(later, d);
            }
          }
        }
      }
      assertTrue(earlier < 1e-6f, name + "/" + attention + ": earlier outputs moved by " + earlier);
      assertTrue(later > 1e-4f, name + "/" + attention + ": the edit changed nothing at all");
    }
  }

  /** The kernels that compute standard attention's function another way. */
  private static final List<Attention> EXACT = List.of(Attention.CHUNKED, Attention.FUSED);

  /**
   * Logits within 1e-5 and gradients within 1e-4 of the largest (at least 1): the kernels sum in another
   * order (measured: chunked and fused logits within ~1e-6, gradients within ~1e-5 relative).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void exactKernelsEqualStandardInValueAndGradient(String name, ModelConfig base) {
    int[] tokens = ModelFixtures.randomTokens(5, BATCH * STEPS);
    GptModel standard = GptModel.create(base.withAttention(Attention.STANDARD), manager, 13);
    float[] expected = ModelFixtures.outputs(standard, manager, array(tokens), null);
    Map<String, float[]> expectedGrad = ModelFixtures.gradients(standard, manager, array(tokens), null, () -> { });
    for (Attention attention : EXACT) {
      GptModel other = GptModel.create(base.withAttention(attention), manager, 13);
      float[] actual = ModelFixtures.outputs(other, manager, array(tokens), null);
      assertTrue(ModelFixtures.maxAbsDiff(expected, actual) < 1e-5f, name + "/" + attention + ": logits differ");
      Map<String, float[]> actualGrad = ModelFixtures.gradients(other, manager, array(tokens), null, () -> { });
      for (Map.Entry<String, float[]> e : expectedGrad.entrySet()) {
        float scale = Math.max(1f, ModelFixtures.maxAbs(e.getValue()));
        float diff = ModelFixtures.maxAbsDiff(e.getValue(), actualGrad.get(e.getKey()));
        assertTrue(diff < 1e-4f * scale, name + "/" + attention + ": gradient of " + e.getKey() + " differs by "
            + diff);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void exactKernelsEqualStandardOnLeftPaddedRows(String name, ModelConfig base) {
    int[] tokens = ModelFixtures.randomTokens(8, BATCH * STEPS);
    long[] mask = new long[BATCH * STEPS];
    java.util.Arrays.fill(mask, 1L);
    java.util.Arrays.fill(mask, 0, 5, 0L);
    GptModel standard = GptModel.create(base.withAttention(Attention.STANDARD), manager, 17);
    float[] expected = ModelFixtures.outputs(standard, manager, array(tokens), maskArray(mask));
    int realFrom = 5 * ModelFixtures.VOCAB;
    for (Attention attention : EXACT) {
      GptModel other = GptModel.create(base.withAttention(attention), manager, 17);
      float[] actual = ModelFixtures.outputs(other, manager, array(tokens), maskArray(mask));
      float diff = ModelFixtures.maxAbsDiff(java.util.Arrays.copyOfRange(expected, realFrom, expected.length),
          java.util.Arrays.copyOfRange(actual, realFrom, actual.length));
      assertTrue(diff < 1e-5f, name + "/" + attention + ": logits of real tokens differ by " + diff);
      for (float v : actual) {
        assertTrue(Float.isFinite(v), name + "/" + attention + ": padding produced a non-finite output");
      }
    }
  }

  private static NDArray array(int[] tokens) {
    return manager.create(tokens, new Shape(BATCH, STEPS));
  }

  private static NDArray maskArray(long[] mask) {
    return manager.create(mask, new Shape(BATCH, STEPS));
  }
}
