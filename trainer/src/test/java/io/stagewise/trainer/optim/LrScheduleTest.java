package io.stagewise.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

  private final LrSchedule schedule = new LrSchedule(1e-3, 10, 110, 0.1);

  @Test
  void warmsUpLinearlyToThePeak() {
    assertEquals(1e-4, schedule.lr(1), 1e-15);
    assertEquals(5e-4, schedule.lr(5), 1e-15);
    assertEquals(1e-3, schedule.lr(10), 1e-15);
  }

  @Test
  void decaysAlongACosineToTheFloorAndStaysThere() {
    // Halfway through the decay the cosine term is 0.5: floor + (peak - floor) / 2.
    assertEquals(1e-4 + 0.5 * 9e-4, schedule.lr(60), 1e-12);
    assertEquals(1e-4, schedule.lr(110), 1e-15);
    assertEquals(1e-4, schedule.lr(500), 1e-15);
    for (long step = 11; step < 110; step++) {
      assertEquals(true, schedule.lr(step + 1) <= schedule.lr(step), "monotone after warmup at " + step);
    }
  }

  @Test
  void noWarmupStartsAtThePeak() {
    assertEquals(2e-3, new LrSchedule(2e-3, 0, 10, 0).lr(1) , 2e-3 * 0.03);
  }

  @Test
  void rejectsInvalidSettings() {
    assertThrows(IllegalArgumentException.class, () -> new LrSchedule(0, 1, 10, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 11, 10, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 1, 10, 1.5));
  }
}
