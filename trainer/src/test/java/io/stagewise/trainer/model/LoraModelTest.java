package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelConfig.Mlp;
import io.stagewise.trainer.optim.TrainableParameter;
import io.stagewise.trainer.train.TrainingLoop;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** LoRA adapters on the model: identity at the start, the base with them off, merging, and what trains. */
class LoraModelTest {

  private static final LoraConfig ALL = new LoraConfig(4, 8, 0, List.of(LoraConfig.ALL_LINEAR));

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  static Stream<ModelConfig> models() {
    ModelConfig tiny = ModelFixtures.tiny();
    return Stream.of(tiny, tiny.withFeedForward(Mlp.SWIGLU).withTiedEmbeddings(false), tiny.withMoe(4, 2),
        tiny.withHead(Head.SCALAR));
  }

  @ParameterizedTest
  @MethodSource("models")
  void aFreshAdapterIsBitIdenticalToTheBase(ModelConfig config) {
    GptModel base = GptModel.create(config, manager, 7);
    GptModel adapted = GptModel.create(config, ALL, manager, 7);

    assertTrue(adapted.getParameters().size() > base.getParameters().size(), "adapters were added");
    float[] expected = ModelFixtures.outputs(base, manager, ModelFixtures.tokens(manager, 3, 2, 12), null);
    float[] actual = ModelFixtures.outputs(adapted, manager, ModelFixtures.tokens(manager, 3, 2, 12), null);
    assertArrayEquals(expected, actual, 0f, "B = 0: the adapters add exact zeros");
  }

  @ParameterizedTest
  @MethodSource("models")
  void trainedAdaptersChangeTheFunctionOffTheyGiveTheBaseAndMergedTheyGiveTheSame(ModelConfig config) {
    GptModel base = GptModel.create(config, manager, 7);
    GptModel adapted = GptModel.create(config, ALL, manager, 7);
    randomise(adapted, ".lora_b", 11);

    float[] baseOut = ModelFixtures.outputs(base, manager, ModelFixtures.tokens(manager, 3, 2, 12), null);
    float[] adaptedOut = ModelFixtures.outputs(adapted, manager, ModelFixtures.tokens(manager, 3, 2, 12), null);
    float[] off = adapted.withoutAdapters(
        () -> ModelFixtures.outputs(adapted, manager, ModelFixtures.tokens(manager, 3, 2, 12), null));
    GptModel merged = adapted.merged(manager);
    float[] mergedOut = ModelFixtures.outputs(merged, manager, ModelFixtures.tokens(manager, 3, 2, 12), null);

    assertTrue(maxDiff(baseOut, adaptedOut) > 1e-3, "the adapters matter: " + maxDiff(baseOut, adaptedOut));
    assertArrayEquals(baseOut, off, 0f, "adapters off: exactly the base");
    assertTrue(maxDiff(adaptedOut, mergedOut) <= 1e-5, "merged vs adapted: " + maxDiff(adaptedOut, mergedOut));
    assertEquals(base.getParameters().keys(), merged.getParameters().keys(), "the merged model has no adapter");
  }

  @Test
  void onlyAdaptersAndAScalarHeadTrainAndTheBaseRecordsNoGradient() {
    GptModel lm = GptModel.create(ModelFixtures.tiny(), ALL, manager, 1);
    List<String> lmTrained = TrainingLoop.trainableParameters(lm).stream().map(TrainableParameter::name).toList();
    assertEquals(16, lmTrained.size(), "A and B of qkv, proj, fc, proj in 2 layers: " + lmTrained);
    assertTrue(lmTrained.stream().allMatch(n -> n.endsWith(".lora_a") || n.endsWith(".lora_b")), lmTrained::toString);
    for (Parameter p : lm.getParameters().values()) {
      assertEquals(lm.trains(p.getName()), p.getArray().hasGradient(), p.getName());
    }

    GptModel scalar = GptModel.create(ModelFixtures.tiny().withHead(Head.SCALAR), ALL, manager, 1);
    List<String> scalarTrained = TrainingLoop.trainableParameters(scalar).stream().map(TrainableParameter::name)
        .toList();
    assertTrue(scalarTrained.containsAll(List.of("value_head.weight", "value_head.bias")), scalarTrained::toString);
    assertEquals(18, scalarTrained.size());
  }

  @Test
  void targetsAreChosenByNameAndALayerTheModelLacksIsNamed() {
    LoraConfig attention = new LoraConfig(2, 2, 0.1, List.of("attention.qkv"));
    GptModel model = GptModel.create(ModelFixtures.tiny(), attention, manager, 1);
    assertEquals(List.of("blocks.0.attention.qkv.lora_a", "blocks.0.attention.qkv.lora_b",
        "blocks.1.attention.qkv.lora_a", "blocks.1.attention.qkv.lora_b"),
        TrainingLoop.trainableParameters(model).stream().map(TrainableParameter::name).toList());

    LoraConfig gate = new LoraConfig(2, 2, 0, List.of("mlp.gate", "attention.proj"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GptModel.create(ModelFixtures.tiny(), gate, manager, 1));
    assertTrue(e.getMessage().startsWith("lora.targets: [mlp.gate]"), e.getMessage());
  }

  @Test
  void everyInvalidFieldIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LoraConfig(0, -1, 1, List.of("attention.qkv", "mlp.c_fc")));
    for (String field : List.of("lora.r:", "lora.alpha:", "lora.dropout:", "lora.targets: unknown layer 'mlp.c_fc'")) {
      assertTrue(e.getMessage().contains(field), field + " in " + e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoraConfig(1, 1, 0, List.of()))
        .getMessage().startsWith("lora.targets: must name"));
  }

  @Test
  void theBaseFingerprintCoversTheFrozenWeightsOnly() {
    GptModel one = GptModel.create(ModelFixtures.tiny(), ALL, manager, 1);
    GptModel same = GptModel.create(ModelFixtures.tiny(), ALL, manager, 1);
    String before = one.baseFingerprint();
    assertEquals(before, same.baseFingerprint());
    randomise(one, ".lora_b", 3);
    assertEquals(before, one.baseFingerprint(), "adapters are not the base");
    NDArray weight = one.getParameters().get("blocks.1.mlp.proj.weight").getArray();
    float[] values = weight.toFloatArray();
    values[5] = Math.nextUp(values[5]);
    weight.set(values);
    assertNotEquals(before, one.baseFingerprint(), "one ulp of one base weight changes it");
    assertFalse(before.isEmpty());
  }

  private static void randomise(GptModel model, String suffix, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (Parameter p : model.getParameters().values()) {
      if (p.getName().endsWith(suffix)) {
        float[] values = new float[Math.toIntExact(p.getArray().size())];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * 0.2);
        }
        p.getArray().set(values);
      }
    }
  }

  private static double maxDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
