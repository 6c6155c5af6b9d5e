package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A model's dropout masks come from its own stream, whatever else draws from the engine in between. */
class DropoutStreamTest {

  private static final int DRAWS = 3;

  @Test
  void masksDependOnTheStreamAloneNotOnWhatElseDraws() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.ones(new Shape(4, 64));
      DropoutStream a = new DropoutStream();
      a.reset(1, 7);
      List<float[]> alone = new ArrayList<>();
      for (int i = 0; i < DRAWS; i++) {
        alone.add(a.apply(x, 0.5f).toFloatArray());
      }

      a.reset(1, 7);
      DropoutStream b = new DropoutStream();
      b.reset(1, 8);
      List<float[]> interleaved = new ArrayList<>();
      List<float[]> other = new ArrayList<>();
      for (int i = 0; i < DRAWS; i++) {
        interleaved.add(a.apply(x, 0.5f).toFloatArray());
        other.add(b.apply(x, 0.5f).toFloatArray());
        // Another user of the engine's generator, seeding and drawing outside any stream.
        manager.getEngine().setRandomSeed(1000 + i);
        manager.randomUniform(0, 1, new Shape(256));
      }

      for (int i = 0; i < DRAWS; i++) {
        assertArrayEquals(alone.get(i), interleaved.get(i), 0f, "draw " + i);
        assertFalse(Arrays.equals(alone.get(i), other.get(i)), "another position draws other masks");
        for (float v : alone.get(i)) {
          assertTrue(v == 0f || v == 2f, "inverted dropout keeps 1/(1-p) or drops: " + v);
        }
      }
      assertFalse(Arrays.equals(alone.get(0), alone.get(1)), "successive calls draw new masks");
    }
  }
}
