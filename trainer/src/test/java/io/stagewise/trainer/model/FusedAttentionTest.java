package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused kernel runs libtorch's flash-attention kernel, forward and backward, in every pass it hands to
 * libtorch: grouped heads, padding masks, packed rows and KV-cached steps alike. libtorch falls back to its
 * unfused "math" path silently (a mask of the wrong rank, grouped heads, a non-unit stride), so the operators
 * are read from the engine profiler's trace.
 */
class FusedAttentionTest {

  private static final String FLASH = "aten::_scaled_dot_product_flash_attention_for_cpu";
  private static final String FLASH_BACKWARD = FLASH + "_backward";
  private static final String MATH = "aten::_scaled_dot_product_attention_math";
  private static NDManager manager;

  @TempDir
  Path dir;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void groupedHeadsWithLeftPaddingTrainThroughTheFlashKernel() throws IOException {
    ModelConfig config = ModelFixtures.tiny().withKvHeads(2).withPosition(Position.ROPE)
        .withAttention(Attention.FUSED);
    GptModel model = GptModel.create(config, manager, 3);
    String trace = profiled(step -> {
      NDArray tokens = ModelFixtures.tokens(step, 1, 2, 9);
      long[] mask = new long[18];
      Arrays.fill(mask, 3, 18, 1L);
      return loss(model.forward(new ParameterStore(step, false), new NDList(tokens, step.create(mask,
          new Shape(2, 9))), true));
    });
    assertTrue(trace.contains(FLASH) && trace.contains(FLASH_BACKWARD), "no flash kernel in forward and backward");
    assertFalse(trace.contains(MATH), "libtorch fell back to its math path");
  }

  @Test
  void packedRowsTrainThroughTheFlashKernel() throws IOException {
    GptModel model = GptModel.create(ModelFixtures.tiny().withAttention(Attention.FUSED), manager, 3);
    int[] ids = {0, 0, 0, 0, 1, 1, 1, 1, 1, PackedSegments.PADDING};
    String trace = profiled(step -> loss(model.forwardPacked(new ParameterStore(step, false),
        ModelFixtures.tokens(step, 2, 1, ids.length), new PackedSegments(1, ids.length, ids), true)));
    assertTrue(trace.contains(FLASH_BACKWARD), "no flash kernel in backward");
    assertFalse(trace.contains(MATH), "libtorch fell back to its math path");
  }

  @Test
  void cachedStepsRunTheFlashKernel() throws IOException {
    ModelConfig config = ModelFixtures.tiny().withKvHeads(1).withAttention(Attention.FUSED);
    GptModel model = GptModel.create(config, manager, 3);
    String trace = profiled(step -> {
      try (KvCache cache = new KvCache(step, config.layers(), 8)) {
        ParameterStore parameters = new ParameterStore(step, false);
        model.forward(parameters, ModelFixtures.tokens(step, 1, 2, 4), null, cache, false);
        model.forward(parameters, ModelFixtures.tokens(step, 2, 2, 2), null, cache, false);
        model.forward(parameters, ModelFixtures.tokens(step, 3, 2, 1), null, cache, false);
      }
      return null;
    });
    assertTrue(trace.contains(FLASH), "no flash kernel");
    assertFalse(trace.contains(MATH), "libtorch fell back to its math path");
  }

  /** A scalar of the logits for backward to start from. */
  private static NDArray loss(NDList out) {
    return out.get(0).sum();
  }

  /**
   * The profiler trace of {@code pass} run on a fresh sub-manager inside a gradient collector, and of the
   * backward from the loss it returns (none when it returns null).
   */
  private String profiled(Function<NDManager, NDArray> pass) throws IOException {
    Path trace = dir.resolve("trace.json");
    try (NDManager step = manager.newSubManager()) {
      JniUtils.startProfile(false, false, false);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray loss = pass.apply(step);
        if (loss != null) {
          collector.backward(loss);
        }
      } finally {
        JniUtils.stopProfile(trace.toString());
      }
    }
    return Files.readString(trace);
  }
}
