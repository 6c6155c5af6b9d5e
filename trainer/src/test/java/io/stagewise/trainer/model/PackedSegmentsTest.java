package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Packed rows: each sequence computes what it computes alone, whatever sits beside it in the row. */
class PackedSegmentsTest {

  private static final int A = 5;
  private static final int B = 7;
  private static final int WIDTH = 15;
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
        Arguments.of("learned", base),
        Arguments.of("rope", base.withPosition(Position.ROPE)),
        Arguments.of("learned+chunked", base.withAttention(Attention.CHUNKED)),
        Arguments.of("gqa+rope+chunked", base.withKvHeads(2).withPosition(Position.ROPE)
            .withAttention(Attention.CHUNKED)),
        Arguments.of("moe+rope", base.withMoe(4, 2).withPosition(Position.ROPE)),
        Arguments.of("learned+fused", base.withAttention(Attention.FUSED)),
        Arguments.of("gqa+rope+fused", base.withKvHeads(2).withPosition(Position.ROPE)
            .withAttention(Attention.FUSED)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everySequenceOfAPackedRowComputesWhatItDoesAlone(String name, ModelConfig config) {
    GptModel model = GptModel.create(config, manager, 5);
    int[] a = ModelFixtures.randomTokens(1, A);
    int[] b = ModelFixtures.randomTokens(2, B);
    float[] packed = packedOutputs(model, a, b);
    assertClose(alone(model, a), packed, 0, name + " first sequence");
    assertClose(alone(model, b), packed, A, name + " second sequence");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void aTokenNeverAttendsAcrossARowBoundary(String name, ModelConfig config) {
    GptModel model = GptModel.create(config, manager, 5);
    int[] a = ModelFixtures.randomTokens(1, A);
    int[] b = ModelFixtures.randomTokens(2, B);
    int[] editedA = ModelFixtures.randomTokens(3, A);
    float[] before = packedOutputs(model, a, b);
    float[] after = packedOutputs(model, editedA, b);
    int vocab = ModelFixtures.VOCAB;
    float inA = 0f;
    float inB = 0f;
    for (int i = 0; i < (A + B) * vocab; i++) {
      float d = Math.abs(before[i] - after[i]);
      if (i < A * vocab) {
        inA = Math.max(inA, d);
      } else {
        inB = Math.max(inB, d);
      }
    }
    assertTrue(inA > 1e-4f, name + ": editing the first sequence changed nothing at all");
    assertEquals(0f, inB, 1e-6f, name + ": the second sequence saw the first");
  }

  @Test
  void sparseAttentionIsRefusedNamingTheSwitch() {
    GptModel model = GptModel.create(ModelFixtures.tiny().withAttention(Attention.SPARSE), manager, 5);
    UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
        () -> packedOutputs(model, ModelFixtures.randomTokens(1, A), ModelFixtures.randomTokens(2, B)));
    assertTrue(refused.getMessage().contains("train.packing"), refused.getMessage());
  }

  /** Outputs of the row [a, b, padding] with the sequences kept apart, (WIDTH × vocab) flattened. */
  private static float[] packedOutputs(GptModel model, int[] a, int[] b) {
    int[] tokens = new int[WIDTH];
    int[] ids = new int[WIDTH];
    System.arraycopy(a, 0, tokens, 0, a.length);
    System.arraycopy(b, 0, tokens, a.length, b.length);
    for (int t = 0; t < WIDTH; t++) {
      ids[t] = t < a.length ? 0 : t < a.length + b.length ? 1 : PackedSegments.PADDING;
    }
    try (NDManager step = manager.newSubManager()) {
      return model.forwardPacked(new ParameterStore(step, false), step.create(tokens, new Shape(1, WIDTH)),
          new PackedSegments(1, WIDTH, ids), false).get(0).toFloatArray();
    }
  }

  private static float[] alone(GptModel model, int[] tokens) {
    return ModelFixtures.outputs(model, manager, manager.create(tokens, new Shape(1, tokens.length)), null);
  }

  private static void assertClose(float[] expected, float[] packed, int offset, String what) {
    int vocab = ModelFixtures.VOCAB;
    for (int i = 0; i < expected.length; i++) {
      float got = packed[offset * vocab + i];
      assertEquals(expected[i], got, 1e-5f, what + ": logit " + i + " differs");
    }
  }
}
