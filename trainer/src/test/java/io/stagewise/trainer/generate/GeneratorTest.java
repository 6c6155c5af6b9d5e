package io.stagewise.trainer.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Position;
import io.stagewise.trainer.model.ModelPresets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GeneratorTest {

  private static final int VOCAB = 41;
  private static final int[][] PROMPTS = {{5, 9, 2, 7, 1, 30, 4}, {11}, {3, 8, 8, 20}};
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static ModelConfig small() {
    return ModelPresets.get("tiny", VOCAB).withSize(2, 4, 32).withContextLength(32).withAttentionChunk(4);
  }

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("learned", small()),
        Arguments.of("rope+gqa+chunked", small().withPosition(Position.ROPE).withKvHeads(2)
            .withAttention(Attention.CHUNKED)),
        Arguments.of("nope+mqa+moe", small().withPosition(Position.NONE).withKvHeads(1).withMoe(3, 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void kvCacheMatchesFullRecomputeForBatchedPromptsOfDifferentLengths(String name, ModelConfig config) {
    GptModel model = GptModel.create(config, manager, 3);
    GenerationConfig greedy = GenerationConfig.greedy(12, -1);
    int[][] cached = new Generator(model, greedy).generate(manager, PROMPTS);
    int[][] recomputed = new Generator(model, greedy.withKvCache(false)).generate(manager, PROMPTS);
    for (int b = 0; b < PROMPTS.length; b++) {
      assertEquals(12, cached[b].length);
      assertArrayEquals(recomputed[b], cached[b], name + " row " + b);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void eachRowGeneratesWhatItWouldAlone(String name, ModelConfig config) {
    GptModel model = GptModel.create(config, manager, 4);
    Generator generator = new Generator(model, GenerationConfig.greedy(10, -1));
    int[][] batched = generator.generate(manager, PROMPTS);
    for (int b = 0; b < PROMPTS.length; b++) {
      assertArrayEquals(generator.generate(manager, new int[][] {PROMPTS[b]})[0], batched[b], name + " row " + b);
    }
  }

  @Test
  void rowsStopAfterTheEndToken() {
    GptModel model = GptModel.create(small(), manager, 5);
    int[][] free = new Generator(model, GenerationConfig.greedy(8, -1)).generate(manager, PROMPTS);
    int end = free[1][2];
    int[][] stopped = new Generator(model, GenerationConfig.greedy(8, end)).generate(manager, PROMPTS);
    for (int b = 0; b < PROMPTS.length; b++) {
      int firstEnd = indexOf(free[b], end);
      int[] expected = firstEnd < 0 ? free[b] : Arrays.copyOf(free[b], firstEnd + 1);
      assertArrayEquals(expected, stopped[b], "row " + b);
    }
    assertEquals(end, stopped[1][stopped[1].length - 1]);
    assertTrue(stopped[1].length <= 3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void rowsFinishingAtDifferentTimesMatchRecomputeAndTheirOwnRuns(String name, ModelConfig config) {
    GptModel model = GptModel.create(config, manager, 5);
    int[][] free = new Generator(model, GenerationConfig.greedy(10, -1)).generate(manager, PROMPTS);
    int end = free[1][1];
    GenerationConfig stopping = GenerationConfig.greedy(10, end);
    int[][] cached = new Generator(model, stopping).generate(manager, PROMPTS);
    int[][] recomputed = new Generator(model, stopping.withKvCache(false)).generate(manager, PROMPTS);
    assertTrue(cached[1].length <= 2, name + ": row 1 stops early");
    for (int b = 0; b < PROMPTS.length; b++) {
      assertArrayEquals(recomputed[b], cached[b], name + " row " + b);
      int[][] alone = new Generator(model, stopping).generate(manager, new int[][] {PROMPTS[b]});
      assertArrayEquals(alone[0], cached[b], name + " row " + b + " alone");
    }
  }

  @Test
  void theLastNewTokenIsNeverFedBackSoItMayPassTheContextLength() {
    GptModel model = GptModel.create(small(), manager, 8);
    int context = small().contextLength();
    int[][] prompt = {{4, 8, 15, 16, 23, 2, 9}};
    int fits = context - prompt[0].length + 1; // the model sees prompt + fits - 1 = context tokens
    int[][] cached = new Generator(model, GenerationConfig.greedy(fits, -1)).generate(manager, prompt);
    int[][] recomputed = new Generator(model, GenerationConfig.greedy(fits, -1).withKvCache(false))
        .generate(manager, prompt);
    assertEquals(fits, cached[0].length);
    assertArrayEquals(recomputed[0], cached[0]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Generator(model, GenerationConfig.greedy(fits + 1, -1)).generate(manager, prompt));
    assertTrue(e.getMessage().contains("contextLength=" + context), e.getMessage());
  }

  @Test
  void samplingIsReproducibleFromItsSeedAndTopOneIsGreedy() {
    GptModel model = GptModel.create(small(), manager, 6);
    int[][] a = new Generator(model, GenerationConfig.sampling(16, 1.5f, 0, -1, 99)).generate(manager, PROMPTS);
    int[][] b = new Generator(model, GenerationConfig.sampling(16, 1.5f, 0, -1, 99)).generate(manager, PROMPTS);
    int[][] c = new Generator(model, GenerationConfig.sampling(16, 1.5f, 0, -1, 100)).generate(manager, PROMPTS);
    assertTrue(Arrays.deepEquals(a, b));
    assertFalse(Arrays.deepEquals(a, c));
    int[][] topOne = new Generator(model, GenerationConfig.sampling(16, 1.5f, 1, -1, 7)).generate(manager, PROMPTS);
    int[][] greedy = new Generator(model, GenerationConfig.greedy(16, -1)).generate(manager, PROMPTS);
    assertTrue(Arrays.deepEquals(greedy, topOne));
  }

  @Test
  void badRequestsAreRejected() {
    GptModel model = GptModel.create(small(), manager, 7);
    Generator generator = new Generator(model, GenerationConfig.greedy(30, -1));
    assertThrows(IllegalArgumentException.class, () -> generator.generate(manager, PROMPTS));
    Generator ok = new Generator(model, GenerationConfig.greedy(2, -1));
    assertThrows(IllegalArgumentException.class, () -> ok.generate(manager, new int[][] {{}}));
    assertThrows(IllegalArgumentException.class, () -> ok.generate(manager, new int[][] {{VOCAB}}));
    assertThrows(IllegalArgumentException.class, () -> new GenerationConfig(0, 0f, 0, -1, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new Generator(
        GptModel.create(small().withHead(ModelConfig.Head.SCALAR), manager, 1), GenerationConfig.greedy(2, -1)));
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    return -1;
  }
}
