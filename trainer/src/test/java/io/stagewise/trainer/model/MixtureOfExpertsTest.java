package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.precision.Precision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MixtureOfExpertsTest {

  private static final int EXPERTS = 8;
  private static final int TOP_K = 2;
  private static final int TOKENS = 3;
  private static final int WIDTH = 16;
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void routingSortsSlotsByExpertAndInvertsBack() {
    long[] chosen = {2, 0, 1, 2, 0, 1}; // 3 tokens × top-2
    MixtureOfExperts.Routing routing = MixtureOfExperts.Routing.of(chosen, 4, 2);
    assertEquals(2, routing.count(0));
    assertEquals(0, routing.count(3));
    assertArrayEquals(new long[] {0, 2}, routing.tokensOf(0));
    assertArrayEquals(new long[] {1, 2}, routing.tokensOf(1));
    assertArrayEquals(new long[] {0, 1}, routing.tokensOf(2));
    for (int slot = 0; slot < chosen.length; slot++) {
      int row = (int) routing.slotOrder()[slot];
      // the row of the grouped output that holds this slot belongs to the slot's expert
      assertTrue(row >= offset(routing, (int) chosen[slot]) && row < offset(routing, (int) chosen[slot] + 1));
    }
  }

  private static int offset(MixtureOfExperts.Routing routing, int expert) {
    return routing.offsets()[expert];
  }

  @Test
  void eachTokenMixesExactlyItsTopKExpertsAndOnlyTheyGetGradients() {
    ModelConfig config = ModelFixtures.tiny().withMoe(EXPERTS, TOP_K).withMoeLossWeight(0.5f);
    Map<String, Parameter> parameters = new LinkedHashMap<>();
    WeightRegistry weights = new WeightRegistry(p -> parameters.put(p.getName(), p));
    MixtureOfExperts moe = new MixtureOfExperts(config, "moe", weights, 0.02f);
    weights.initialize(manager, 9);
    parameters.values().forEach(p -> p.getArray().setRequiresGradient(true));

    float[] input = new float[TOKENS * WIDTH];
    java.util.Random random = new java.util.Random(4);
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) random.nextGaussian();
    }
    float[] router = parameters.get("moe.router.weight").getArray().toFloatArray();
    List<int[]> chosen = new ArrayList<>();
    List<float[]> gates = new ArrayList<>();
    float[] meanProbability = new float[EXPERTS];
    for (int n = 0; n < TOKENS; n++) {
      float[] p = softmax(router, input, n);
      int[] top = topK(p);
      chosen.add(top);
      float norm = p[top[0]] + p[top[1]];
      gates.add(new float[] {p[top[0]] / norm, p[top[1]] / norm});
      for (int e = 0; e < EXPERTS; e++) {
        meanProbability[e] += p[e] / TOKENS;
      }
    }

    try (NDManager step = manager.newSubManager()) {
      ForwardPass pass = new ForwardPass(new ParameterStore(step, false), Precision.FP32, step, true, 0f, TOKENS, 0,
          new long[][] {{0, 1, 2}}, null);
      NDArray x = step.create(input, new Shape(1, TOKENS, WIDTH));
      float[] out;
      NDArray aux;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray y = moe.forward(x, pass);
        aux = pass.auxLoss();
        out = y.toFloatArray();
        collector.backward(y.sum().add(aux));
      }
      Set<Integer> used = new HashSet<>();
      for (int n = 0; n < TOKENS; n++) {
        float[] expected = new float[WIDTH];
        for (int s = 0; s < TOP_K; s++) {
          int e = chosen.get(n)[s];
          used.add(e);
          float[] expertOut = expert(parameters, e, input, n, pass);
          for (int c = 0; c < WIDTH; c++) {
            expected[c] += gates.get(n)[s] * expertOut[c];
          }
        }
        float[] actual = java.util.Arrays.copyOfRange(out, n * WIDTH, (n + 1) * WIDTH);
        assertTrue(ModelFixtures.maxAbsDiff(expected, actual) < 1e-5f, "token " + n);
      }
      float expectedAux = 0f;
      for (int e = 0; e < EXPERTS; e++) {
        int expert = e;
        long routed = chosen.stream().filter(t -> t[0] == expert || t[1] == expert).count();
        expectedAux += 0.5f * EXPERTS / config.layers() * routed / (TOKENS * TOP_K) * meanProbability[e];
      }
      assertEquals(expectedAux, aux.getFloat(), 1e-5f);

      assertTrue(used.size() < EXPERTS, "the test needs an unused expert");
      for (int e = 0; e < EXPERTS; e++) {
        for (String part : List.of(".fc.weight", ".fc.bias", ".proj.weight")) {
          NDArray gradient = parameters.get("moe.experts." + e + part).getArray().getGradient();
          gradient.attach(step);
          float size = ModelFixtures.maxAbs(gradient.toFloatArray());
          assertEquals(used.contains(e), size > 0f, "expert " + e + part + " gradient " + size);
        }
      }
      NDArray routerGradient = parameters.get("moe.router.weight").getArray().getGradient();
      routerGradient.attach(step);
      assertTrue(ModelFixtures.maxAbs(routerGradient.toFloatArray()) > 0f);
    }
  }

  /** A fresh MoE layer of the given routing, parameters by name in {@code into}. */
  private static MixtureOfExperts layer(int experts, int topK, float lossWeight, Map<String, Parameter> into) {
    ModelConfig config = ModelFixtures.tiny().withMoe(experts, topK).withMoeLossWeight(lossWeight);
    WeightRegistry weights = new WeightRegistry(p -> into.put(p.getName(), p));
    MixtureOfExperts moe = new MixtureOfExperts(config, "moe", weights, 0.02f);
    weights.initialize(manager, 9);
    into.values().forEach(p -> p.getArray().setRequiresGradient(true));
    return moe;
  }

  private static float[] gaussian(long seed, int count) {
    java.util.Random random = new java.util.Random(seed);
    float[] values = new float[count];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  /** An inference pass over {@code tokens} tokens of one row; {@code real} marks padding (null: none). */
  private static ForwardPass pass(NDManager step, int tokens, float[] real) {
    long[][] positions = new long[1][tokens];
    ForwardPass pass = new ForwardPass(new ParameterStore(step, false), Precision.FP32, step, false, 0f, tokens, 0, positions, null);
    pass.realTokens = real;
    return pass;
  }

  @Test
  void topOneGateIsTheRouterProbabilitySoTheRouterLearnsFromTheTaskLoss() {
    Map<String, Parameter> parameters = new LinkedHashMap<>();
    MixtureOfExperts moe = layer(4, 1, 0f, parameters);
    float[] input = gaussian(5, TOKENS * WIDTH);
    float[] router = parameters.get("moe.router.weight").getArray().toFloatArray();
    try (NDManager step = manager.newSubManager()) {
      ForwardPass pass = new ForwardPass(new ParameterStore(step, false), Precision.FP32, step, true, 0f, TOKENS, 0,
          new long[][] {{0, 1, 2}}, null);
      float[] out;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray y = moe.forward(step.create(input, new Shape(1, TOKENS, WIDTH)), pass);
        out = y.toFloatArray();
        collector.backward(y.sum()); // the task loss alone: no load-balancing term
      }
      for (int n = 0; n < TOKENS; n++) {
        float[] p = softmax(router, input, n, 4);
        int best = 0;
        for (int e = 1; e < p.length; e++) {
          best = p[e] > p[best] ? e : best;
        }
        float[] expected = expert(parameters, best, input, n, pass);
        for (int c = 0; c < WIDTH; c++) {
          expected[c] *= p[best];
        }
        float[] actual = java.util.Arrays.copyOfRange(out, n * WIDTH, (n + 1) * WIDTH);
        assertTrue(ModelFixtures.maxAbsDiff(expected, actual) < 1e-6f, "token " + n + " is p × expert(x)");
      }
      NDArray routerGradient = parameters.get("moe.router.weight").getArray().getGradient();
      routerGradient.attach(step);
      assertTrue(ModelFixtures.maxAbs(routerGradient.toFloatArray()) > 1e-6f, "the router learns from the task");
    }
  }

  @Test
  void paddingIsLeftOutOfTheLoadBalancingLoss() {
    Map<String, Parameter> parameters = new LinkedHashMap<>();
    MixtureOfExperts moe = layer(EXPERTS, TOP_K, 0.5f, parameters);
    int padded = TOKENS + 4;
    float[] input = gaussian(6, padded * WIDTH);
    // Real tokens first, padding at the end (right padding) and one pad in the middle.
    float[] real = {1, 1, 0, 1, 0, 0, 0};
    float[] onlyReal = new float[TOKENS * WIDTH];
    int kept = 0;
    for (int n = 0; n < padded; n++) {
      if (real[n] != 0f) {
        System.arraycopy(input, n * WIDTH, onlyReal, kept++ * WIDTH, WIDTH);
      }
    }
    try (NDManager step = manager.newSubManager()) {
      ForwardPass withPadding = pass(step, padded, real);
      moe.forward(step.create(input, new Shape(1, padded, WIDTH)), withPadding);
      ForwardPass unaware = pass(step, padded, null);
      moe.forward(step.create(input, new Shape(1, padded, WIDTH)), unaware);
      ForwardPass alone = pass(step, TOKENS, null);
      moe.forward(step.create(onlyReal, new Shape(1, TOKENS, WIDTH)), alone);
      float expected = alone.auxLoss().getFloat();
      assertEquals(expected, withPadding.auxLoss().getFloat(), 1e-6f);
      assertTrue(Math.abs(unaware.auxLoss().getFloat() - expected) > 1e-4f, "the padding would change it");
      ForwardPass allPadding = pass(step, padded, new float[padded]);
      moe.forward(step.create(input, new Shape(1, padded, WIDTH)), allPadding);
      assertEquals(0f, allPadding.auxLoss().getFloat());
    }
  }

  /**
   * The trainer adds each micro-batch's term / M (Departure 21), which is not the whole batch's term: f · P is a
   * product of means. This records how far apart they are for 2 and 4 micro-batches of a random batch.
   */
  @Test
  void perMicroBatchLoadBalancingDepartsFromTheWholeBatchTermByUnderTwoPercentAtInit() {
    Map<String, Parameter> parameters = new LinkedHashMap<>();
    MixtureOfExperts moe = layer(EXPERTS, TOP_K, 1f, parameters);
    int tokens = 64;
    float[] input = gaussian(7, tokens * WIDTH);
    try (NDManager step = manager.newSubManager()) {
      float whole = auxOf(moe, step, input, 0, tokens);
      for (int micro : new int[] {2, 4}) {
        int size = tokens / micro;
        float mean = 0f;
        for (int m = 0; m < micro; m++) {
          mean += auxOf(moe, step, input, m * size, size) / micro;
        }
        float relative = Math.abs(mean - whole) / whole;
        System.out.printf(java.util.Locale.ROOT, "moe load balancing: whole batch %.6f, mean of %d micro-batches "
            + "%.6f, relative difference %.4f%n", whole, micro, mean, relative);
        assertTrue(relative > 1e-5f, "the terms differ");
        assertTrue(relative < 0.02f, "but by little: " + relative);
      }
    }
  }

  private static float auxOf(MixtureOfExperts moe, NDManager step, float[] input, int from, int tokens) {
    float[] rows = java.util.Arrays.copyOfRange(input, from * WIDTH, (from + tokens) * WIDTH);
    ForwardPass pass = pass(step, tokens, null);
    moe.forward(step.create(rows, new Shape(1, tokens, WIDTH)), pass);
    return pass.auxLoss().getFloat();
  }

  private static float[] expert(Map<String, Parameter> parameters, int e, float[] input, int n, ForwardPass pass) {
    NDArray x = pass.manager.create(java.util.Arrays.copyOfRange(input, n * WIDTH, (n + 1) * WIDTH));
    String prefix = "moe.experts." + e;
    NDArray hidden = ai.djl.nn.Activation.gelu(x.getNDArrayInternal()
        .linear(x, array(parameters, prefix + ".fc.weight"), array(parameters, prefix + ".fc.bias"))
        .singletonOrThrow());
    return hidden.getNDArrayInternal()
        .linear(hidden, array(parameters, prefix + ".proj.weight"), array(parameters, prefix + ".proj.bias"))
        .singletonOrThrow().toFloatArray();
  }

  private static NDArray array(Map<String, Parameter> parameters, String name) {
    return parameters.get(name).getArray();
  }

  private static float[] softmax(float[] router, float[] input, int n) {
    return softmax(router, input, n, EXPERTS);
  }

  private static float[] softmax(float[] router, float[] input, int n, int experts) {
    double[] logits = new double[experts];
    double max = Double.NEGATIVE_INFINITY;
    for (int e = 0; e < experts; e++) {
      for (int c = 0; c < WIDTH; c++) {
        logits[e] += router[e * WIDTH + c] * input[n * WIDTH + c];
      }
      max = Math.max(max, logits[e]);
    }
    double sum = 0;
    for (int e = 0; e < experts; e++) {
      logits[e] = Math.exp(logits[e] - max);
      sum += logits[e];
    }
    float[] p = new float[experts];
    for (int e = 0; e < experts; e++) {
      p[e] = (float) (logits[e] / sum);
    }
    return p;
  }

  private static int[] topK(float[] p) {
    int first = 0;
    for (int e = 1; e < EXPERTS; e++) {
      first = p[e] > p[first] ? e : first;
    }
    int second = first == 0 ? 1 : 0;
    for (int e = 0; e < EXPERTS; e++) {
      second = e != first && p[e] > p[second] ? e : second;
    }
    return new int[] {first, second};
  }
}
