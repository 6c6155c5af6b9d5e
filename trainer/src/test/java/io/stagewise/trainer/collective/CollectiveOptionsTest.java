package io.stagewise.trainer.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CollectiveOptionsTest {

  private static final Duration SECOND = Duration.ofSeconds(1);

  @Test
  void namesTheFieldThatIsWrong() {
    assertMessage("connectTimeout must be at least 1 ms, got PT0S",
        () -> new CollectiveOptions(Duration.ZERO, SECOND, 8192, 8192));
    assertMessage("ioTimeout must be at least 1 ms, got PT-1S",
        () -> new CollectiveOptions(SECOND, SECOND.negated(), 8192, 8192));
    assertMessage("bucketBytes must be a multiple of 4 and at least 4096, got 4098",
        () -> new CollectiveOptions(SECOND, SECOND, 4098, 8192));
    assertMessage("bucketBytes must be a multiple of 4 and at least 4096, got 1024",
        () -> new CollectiveOptions(SECOND, SECOND, 1024, 8192));
    assertMessage("maxFrameBytes (4096) must be at least bucketBytes (8192)",
        () -> new CollectiveOptions(SECOND, SECOND, 8192, 4096));
    assertThrows(NullPointerException.class, () -> new CollectiveOptions(null, SECOND, 8192, 8192));
  }

  @Test
  void defaultsAreValid() {
    CollectiveOptions defaults = CollectiveOptions.defaults();
    assertEquals(8 << 20, defaults.bucketBytes());
    assertEquals(Duration.ofMinutes(10), defaults.ioTimeout());
    assertTrue(defaults.authenticateFrames(), "frames are authenticated unless a caller opts out");
    assertTrue(new CollectiveOptions(SECOND, SECOND, 8192, 8192).authenticateFrames());
    assertFalse(defaults.withAuthenticateFrames(false).authenticateFrames());
  }

  @Test
  void aGroupOfOneLeavesBuffersAlone() {
    try (Collective single = new SingleWorkerCollective()) {
      FloatBuffer buffer = FloatBuffer.wrap(new float[] {1.5f, -2f});
      single.allReduceSum(buffer);
      single.broadcast(buffer, 0);
      single.barrier();
      assertEquals(1.5f, buffer.get(0));
      assertEquals(-2f, buffer.get(1));
      assertEquals(1, single.worldSize());
      assertThrows(IllegalArgumentException.class, () -> single.broadcast(buffer, 1));
    }
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable construct) {
    assertEquals(expected, assertThrows(IllegalArgumentException.class, construct).getMessage());
  }
}
