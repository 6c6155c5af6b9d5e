package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KV cache against full recompute, and its cost: memory that stays the preallocated cache whatever the
 * number of steps, and a per-token time that does not grow with the length generated so far.
 */
class KvCacheTest {

  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static Stream<Arguments> models() {
    ModelConfig base = ModelFixtures.tiny().withContextLength(24).withAttentionChunk(4);
    return Stream.of(
        Arguments.of("learned+standard", base),
        Arguments.of("rope+gqa+chunked", base.withPosition(Position.ROPE).withKvHeads(2)
            .withAttention(Attention.CHUNKED)),
        Arguments.of("nope+mqa+moe", base.withPosition(Position.NONE).withKvHeads(1).withMoe(3, 2)),
        Arguments.of("learned+fused", base.withAttention(Attention.FUSED)),
        Arguments.of("rope+gqa+fused", base.withPosition(Position.ROPE).withKvHeads(2)
            .withAttention(Attention.FUSED)));
  }

  /**
   * Prompt then one token per step through the cache gives every position's logits of one full forward, to
   * float tolerance at every real position (1e-5 absolute: the cached steps multiply smaller matrices, so summation order differs).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void cachedStepsGiveTheLogitsOfAFullForward(String name, ModelConfig config) {
    GptModel model = GptModel.create(config, manager, 11);
    int batch = 2;
    int steps = 20;
    int prompt = 6;
    int[] tokens = ModelFixtures.randomTokens(5, batch * steps);
    long[] mask = new long[batch * steps];
    Arrays.fill(mask, 1L);
    Arrays.fill(mask, 0, 3, 0L); // row 0 has 3 tokens of left padding
    float[] full;
    try (NDManager step = manager.newSubManager()) {
      full = model.forward(new ParameterStore(step, false), step.create(tokens, new Shape(batch, steps)),
          step.create(mask, new Shape(batch, steps)), null, false).get(0).toFloatArray();
    }
    int vocab = config.vocabSize();
    try (NDManager scope = manager.newSubManager(); KvCache cache = new KvCache(scope, config.layers(), steps)) {
      ParameterStore parameters = new ParameterStore(scope, false);
      for (int from = 0; from < steps; from = cache.length()) {
        int to = from == 0 ? prompt : from + 1;
        float[] logits = step(model, parameters, scope, cache, tokens, mask, steps, from, to);
        for (int b = 0; b < batch; b++) {
          for (int t = from; t < to; t++) {
            if (mask[b * steps + t] == 0) {
              continue; // a padding query's output is never used, and it sees different (all masked) keys
            }
            float[] expected = Arrays.copyOfRange(full, (b * steps + t) * vocab, (b * steps + t + 1) * vocab);
            float[] actual = Arrays.copyOfRange(logits, (b * (to - from) + t - from) * vocab,
                (b * (to - from) + t - from + 1) * vocab);
            assertTrue(ModelFixtures.maxAbsDiff(expected, actual) < 1e-5f, name + " row " + b + " position " + t
                + ": " + ModelFixtures.maxAbsDiff(expected, actual));
          }
        }
      }
      assertEquals(steps, cache.length());
      NDArray one = scope.create(new int[] {1, 2}, new Shape(2, 1));
      assertThrows(IllegalStateException.class,
          () -> model.forward(parameters, one, null, cache, false), "a full cache refuses more tokens");
    }
  }

  /**
   * Every array an inference step creates is released with the step: after each step only the cache's arrays,
   * allocated once for its capacity, remain, and during a step the live bytes grow with the prefix attended
   * over (views of the cache, one score row per head) — linearly, never by a copy of the cache per step.
   */
  @Test
  void liveBytesAreTheCacheAloneBetweenStepsAndGrowLinearlyWithinOne() {
    ModelConfig config = ModelFixtures.tiny().withContextLength(160).withPosition(Position.ROPE).withKvHeads(2);
    GptModel model = GptModel.create(config, manager, 12);
    int batch = 3;
    int capacity = 160;
    int prompt = 8;
    int[] tokens = ModelFixtures.randomTokens(6, batch * capacity);
    long cacheBytes = 2L * config.layers() * batch * config.kvHeads() * capacity * config.headDim() * Float.BYTES;
    long perToken = cacheBytes / capacity;
    try (NDManager scope = manager.newSubManager(); KvCache cache = new KvCache(scope, config.layers(), capacity)) {
      ParameterStore parameters = new ParameterStore(scope, false);
      long[] during = new long[capacity];
      for (int from = 0; from < capacity; from = cache.length()) {
        int to = from == 0 ? prompt : from + 1;
        try (NDManager step = scope.newSubManager()) {
          NDArray input = step.create(slice(tokens, batch, capacity, from, to), new Shape(batch, to - from));
          model.forward(parameters, input, null, cache, false);
          during[to - 1] = liveBytes(scope);
        }
        assertEquals(cacheBytes, liveBytes(scope), "after the step ending at token " + to);
      }
      // Within one step: the attended prefix and the scores over it, a small multiple of the cache per token.
      long growth = during[capacity - 1] - during[prompt];
      double perGeneratedToken = (double) growth / (capacity - 1 - prompt);
      assertTrue(perGeneratedToken <= 4.0 * perToken, "live bytes grow by " + perGeneratedToken
          + " per generated token within a step; the cache needs " + perToken);
    }
  }

  /**
   * The per-token time late in a long generation stays close to the early one: the cache is written in place,
   * so a step costs its token plus attention over the prefix, never a copy of the whole cache. Medians of 48
   * steps; the bound is generous (the attention share does grow, and the machine may be loaded).
   */
  @Test
  void perTokenTimeStaysFlatOverALongGeneration() {
    ModelConfig config = ModelFixtures.tiny().withSize(2, 4, 64).withContextLength(288);
    GptModel model = GptModel.create(config, manager, 13);
    int batch = 8;
    int capacity = 288;
    int[] tokens = ModelFixtures.randomTokens(7, batch * capacity);
    long[] nanos = new long[capacity];
    try (NDManager scope = manager.newSubManager(); KvCache cache = new KvCache(scope, config.layers(), capacity)) {
      ParameterStore parameters = new ParameterStore(scope, false);
      for (int from = 0; from < capacity; from = cache.length()) {
        int to = from == 0 ? 16 : from + 1;
        long start = System.nanoTime();
        step(model, parameters, scope, cache, tokens, null, capacity, from, to);
        nanos[to - 1] = System.nanoTime() - start;
      }
    }
    double early = median(Arrays.copyOfRange(nanos, 32, 80));
    double late = median(Arrays.copyOfRange(nanos, capacity - 48, capacity));
    System.out.printf(java.util.Locale.ROOT, "kv cache per-token time: early %.3f ms, late %.3f ms, ratio %.2f%n",
        early / 1e6, late / 1e6, late / early);
    assertTrue(late < 3.0 * early, "late steps take " + late / early + "x the early ones");
  }

  /** Runs tokens [from, to) through the cache in a step manager; returns the logits (B, to − from, V). */
  private static float[] step(GptModel model, ParameterStore parameters, NDManager scope, KvCache cache,
      int[] tokens, long[] mask, int total, int from, int to) {
    int batch = tokens.length / total;
    try (NDManager step = scope.newSubManager()) {
      NDArray input = step.create(slice(tokens, batch, total, from, to), new Shape(batch, to - from));
      NDArray attention = null;
      if (mask != null) {
        long[] prefix = new long[batch * to];
        for (int b = 0; b < batch; b++) {
          System.arraycopy(mask, b * total, prefix, b * to, to);
        }
        attention = step.create(prefix, new Shape(batch, to));
      }
      return model.forward(parameters, input, attention, cache, false).get(0).toFloatArray();
    }
  }

  private static int[] slice(int[] rows, int batch, int total, int from, int to) {
    int[] out = new int[batch * (to - from)];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(rows, b * total + from, out, b * (to - from), to - from);
    }
    return out;
  }

  private static long liveBytes(NDManager root) {
    return root.getManagedArrays().stream()
        .mapToLong(a -> a.getShape().size() * a.getDataType().getNumOfBytes()).sum();
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
