package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Garbage collection between forward and backward must not change a single gradient: every constant the
 * forward feeds to an op (scales, epsilons, masks, rotary tables, routing indices) has to stay alive
 * until backward has read it. DJL's Number overloads break exactly this.
 */
class GradientLifetimeTest {

  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"baseline", "every-switch", "llama"})
  void gradientsSurviveGarbageCollectionBetweenForwardAndBackward(String variant) {
    ModelConfig llama = ModelFixtures.tiny().withNorm(Norm.RMSNORM).withPosition(Position.ROPE).withKvHeads(2);
    ModelConfig config = switch (variant) {
      case "baseline" -> ModelFixtures.tiny();
      case "llama" -> llama.withFeedForward(ModelConfig.Mlp.SWIGLU);
      default -> llama.withAttention(Attention.CHUNKED).withMoe(3, 2).withTiedEmbeddings(false);
    };
    int[] tokens = ModelFixtures.randomTokens(21, 2 * 12);
    long[] mask = new long[2 * 12];
    java.util.Arrays.fill(mask, 3, mask.length, 1L); // row 0 left-padded by 3: masks and positions in play
    Map<String, float[]> quiet = ModelFixtures.gradients(GptModel.create(config, manager, 3), manager,
        manager.create(tokens, new Shape(2, 12)), manager.create(mask, new Shape(2, 12)), () -> { });
    Map<String, float[]> collected = ModelFixtures.gradients(GptModel.create(config, manager, 3), manager,
        manager.create(tokens, new Shape(2, 12)), manager.create(mask, new Shape(2, 12)),
        GradientLifetimeTest::collectGarbage);
    for (Map.Entry<String, float[]> e : quiet.entrySet()) {
      for (float g : e.getValue()) {
        assertTrue(Float.isFinite(g), e.getKey() + " has a non-finite gradient");
      }
      assertArrayEquals(e.getValue(), collected.get(e.getKey()), e.getKey());
    }
  }

  private static void collectGarbage() {
    for (int i = 0; i < 3; i++) {
      // Fill the young generation so the collector really runs, then let reference processing finish.
      byte[][] churn = new byte[64][];
      for (int j = 0; j < churn.length; j++) {
        churn[j] = new byte[1 << 16];
      }
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
