package io.stagewise.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalNormClippingTest {

  @Test
  void scalesAllGradientsByOneFactorWhenTheGlobalNormIsTooLarge() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.create(new float[] {3f, 4f});
      NDArray b = manager.create(new float[] {12f});
      double norm = GlobalNormClipping.clip(List.of(a, b), 1.0);
      assertEquals(13.0, norm, 1e-6);
      float scale = (float) (1.0 / (13.0 + 1e-6));
      assertArrayEquals(new float[] {3f * scale, 4f * scale}, a.toFloatArray(), 1e-7f);
      assertArrayEquals(new float[] {12f * scale}, b.toFloatArray(), 1e-7f);
      assertEquals(1.0, GlobalNormClipping.globalNorm(List.of(a, b)), 1e-5);
    }
  }

  @Test
  void leavesSmallGradientsAloneAndZeroDisablesClipping() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.create(new float[] {0.3f, 0.4f});
      assertEquals(0.5, GlobalNormClipping.clip(List.of(a), 1.0), 1e-6);
      assertArrayEquals(new float[] {0.3f, 0.4f}, a.toFloatArray(), 0f);
      NDArray big = manager.create(new float[] {30f, 40f});
      assertEquals(50.0, GlobalNormClipping.clip(List.of(big), 0), 1e-4);
      assertArrayEquals(new float[] {30f, 40f}, big.toFloatArray(), 0f);
    }
  }
}
