package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Head;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GptModelTest {

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
  void lmHeadGivesLogitsAndZeroAuxLossForDenseModels() {
    GptModel model = GptModel.create(ModelFixtures.tiny(), manager, 1);
    try (NDManager step = manager.newSubManager()) {
      NDList out = model.forward(new ParameterStore(step, false), new NDList(ModelFixtures.tokens(step, 2, 3, 7)),
          false);
      assertEquals(new Shape(3, 7, ModelFixtures.VOCAB), out.get(0).getShape());
      assertEquals(new Shape(), out.get(1).getShape());
      assertEquals(0f, out.get(1).getFloat());
    }
  }

  @Test
  void noNormRemovesTheBlocksNormsButKeepsTheFinalLayerNorm() {
    // The CEG reference's model.py keeps ln_f in every variant, "no features" included.
    ModelConfig none = ModelFixtures.tiny().withNorm(ModelConfig.Norm.NONE);
    assertEquals(ModelConfig.Norm.LAYERNORM, none.finalNorm());
    GptModel model = GptModel.create(none, manager, 1);
    assertTrue(model.getParameters().contains("final_norm.weight"));
    assertTrue(model.getParameters().contains("final_norm.bias"));
    assertFalse(model.getParameters().keys().stream().anyMatch(n -> n.startsWith("blocks.") && n.contains("norm")),
        "norm=none must leave no norm in the blocks");
    // The final norm is on the path to the logits: its gain takes a gradient.
    java.util.Map<String, float[]> gradients = ModelFixtures.gradients(model, manager,
        ModelFixtures.tokens(manager, 4, 2, 7), null, () -> { });
    assertTrue(ModelFixtures.maxAbs(gradients.get("final_norm.weight")) > 0f, "the final norm takes no part");
    assertEquals(ModelConfig.Norm.RMSNORM, none.withNorm(ModelConfig.Norm.RMSNORM).finalNorm());
  }

  @Test
  void scalarHeadGivesOneValuePerPosition() {
    GptModel model = GptModel.create(ModelFixtures.tiny().withHead(Head.SCALAR), manager, 1);
    try (NDManager step = manager.newSubManager()) {
      NDList out = model.forward(new ParameterStore(step, false), new NDList(ModelFixtures.tokens(step, 2, 3, 7)),
          false);
      assertEquals(new Shape(3, 7), out.get(0).getShape());
    }
    assertTrue(model.getParameters().contains("value_head.weight"));
  }

  @Test
  void sameSeedGivesIdenticalParametersAndOtherSeedDoesNot() {
    ModelConfig config = ModelFixtures.tiny().withMoe(3, 2);
    GptModel a = GptModel.create(config, manager, 42);
    GptModel b = GptModel.create(config, manager, 42);
    GptModel c = GptModel.create(config, manager, 43);
    boolean anyDifferent = false;
    for (Pair<String, Parameter> p : a.getParameters()) {
      float[] va = p.getValue().getArray().toFloatArray();
      assertArrayEquals(va, b.getParameters().get(p.getKey()).getArray().toFloatArray(), p.getKey());
      anyDifferent |= !java.util.Arrays.equals(va, c.getParameters().get(p.getKey()).getArray().toFloatArray());
    }
    assertTrue(anyDifferent);
  }

  @Test
  void backboneInitialisationDoesNotDependOnTheHead() {
    GptModel lm = GptModel.create(ModelFixtures.tiny(), manager, 5);
    GptModel reward = GptModel.create(ModelFixtures.tiny().withHead(Head.SCALAR), manager, 5);
    assertArrayEquals(lm.getParameters().get("blocks.1.attention.qkv.weight").getArray().toFloatArray(),
        reward.getParameters().get("blocks.1.attention.qkv.weight").getArray().toFloatArray());
  }

  @Test
  void rewardModelStartsFromTheLanguageModelsBackbone() {
    GptModel lm = GptModel.create(ModelFixtures.tiny(), manager, 1);
    GptModel reward = GptModel.create(ModelFixtures.tiny().withHead(Head.SCALAR), manager, 2);
    assertEquals(java.util.List.of("value_head.weight", "value_head.bias"), reward.copyParametersFrom(lm));
    for (Pair<String, Parameter> p : lm.getParameters()) {
      assertArrayEquals(p.getValue().getArray().toFloatArray(),
          reward.getParameters().get(p.getKey()).getArray().toFloatArray(), p.getKey());
    }
    assertTrue(reward.getParameters().get("wte.weight").getArray().hasGradient());
  }

  @Test
  void matricesDecayAndBiasesNormsDoNot() {
    GptModel model = GptModel.create(ModelFixtures.tiny().withTiedEmbeddings(false), manager, 1);
    assertTrue(model.decays("wte.weight"));
    assertTrue(model.decays("blocks.0.attention.qkv.weight"));
    assertTrue(model.decays("lm_head.weight"));
    assertFalse(model.decays("blocks.0.attention.qkv.bias"));
    assertFalse(model.decays("blocks.0.norm1.weight"));
    assertFalse(model.decays("final_norm.bias"));
    assertEquals(model.getParameters().size(), model.decayed().size() + model.notDecayed().size());
    assertThrows(IllegalArgumentException.class, () -> model.decays("nope"));
  }

  @Test
  void forwardAndBackwardNeverAttachArraysToTheModelsManager() {
    ModelConfig config = ModelFixtures.tiny().withNorm(ModelConfig.Norm.RMSNORM)
        .withPosition(ModelConfig.Position.ROPE).withKvHeads(2).withAttention(Attention.CHUNKED).withMoe(3, 2)
        .withTiedEmbeddings(false).withDropout(0.1f);
    try (NDManager modelManager = NDManager.newBaseManager(); NDManager steps = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(config, modelManager, 1);
      // A capped manager throws on any new attachment: a leak would accumulate every step otherwise.
      modelManager.cap();
      NDArray tokens = ModelFixtures.tokens(steps, 3, 2, 9);
      long[] mask = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
      NDArray attention = steps.create(mask, new Shape(2, 9));
      try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDList out = model.forward(new ParameterStore(steps, false), new NDList(tokens, attention), true);
        collector.backward(out.get(0).sum().add(out.get(1)));
      }
      int[][] generated = new io.stagewise.trainer.generate.Generator(model,
          io.stagewise.trainer.generate.GenerationConfig.greedy(3, -1)).generate(steps, new int[][] {{1, 2}});
      assertEquals(3, generated[0].length);
    }
  }

  /**
   * libtorch's fused kernel has no dropout path the trainer's {@link DropoutStream} controls, so a training pass
   * with dropout runs the fused model through the materialised kernel: the same masks, the same outputs.
   */
  @Test
  void fusedAttentionWithDropoutTrainsExactlyAsStandard() {
    ModelConfig config = ModelFixtures.tiny().withDropout(0.2f);
    float[][] outputs = new float[2][];
    Attention[] kernels = {Attention.STANDARD, Attention.FUSED};
    for (int i = 0; i < kernels.length; i++) {
      GptModel model = GptModel.create(config.withAttention(kernels[i]), manager, 3);
      model.dropoutStream().reset(7, 1);
      try (NDManager step = manager.newSubManager()) {
        NDArray tokens = ModelFixtures.tokens(step, 4, 2, 9);
        outputs[i] = model.forward(new ParameterStore(step, false), new NDList(tokens), true).get(0).toFloatArray();
      }
    }
    assertArrayEquals(outputs[0], outputs[1], 0f);
  }

  @Test
  void tooLongSequencesAreRejected() {
    GptModel model = GptModel.create(ModelFixtures.tiny(), manager, 1);
    try (NDManager step = manager.newSubManager()) {
      NDArray tokens = ModelFixtures.tokens(step, 1, 1, 17);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.forward(new ParameterStore(step, false), new NDList(tokens), false));
      assertTrue(e.getMessage().contains("contextLength"), e.getMessage());
    }
  }

  @Test
  void savedParametersLoadBackAndKeepTraining() throws Exception {
    ModelConfig config = ModelFixtures.tiny().withNorm(ModelConfig.Norm.RMSNORM);
    GptModel source = GptModel.create(config, manager, 7);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    source.saveParameters(new DataOutputStream(bytes));
    GptModel target = GptModel.create(config, manager, 8);
    target.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    for (Pair<String, Parameter> p : source.getParameters()) {
      NDArray loaded = target.getParameters().get(p.getKey()).getArray();
      assertArrayEquals(p.getValue().getArray().toFloatArray(), loaded.toFloatArray(), p.getKey());
      assertTrue(loaded.hasGradient(), p.getKey());
    }
    GptModel wider = GptModel.create(config.withMlpHidden(48), manager, 8);
    assertThrows(ai.djl.MalformedModelException.class,
        () -> wider.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
  }

  @Test
  void configErrorsNameTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelFixtures.tiny().withKvHeads(3));
    assertTrue(e.getMessage().startsWith("model.kvHeads"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelFixtures.tiny().withMoe(4, 5));
    assertTrue(e.getMessage().startsWith("model.topK"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.Norm.fromName("batchnorm"));
    assertTrue(e.getMessage().contains("layernorm, rmsnorm"), e.getMessage());
    assertEquals(ModelConfig.Attention.CHUNKED, ModelConfig.Attention.fromName("chunked"));
  }
}
