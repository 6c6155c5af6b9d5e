package io.stagewise.trainer.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingAllReduceTest {

  private static final int BUCKET_FLOATS = LocalRing.FAST.bucketBytes() / Float.BYTES;

  /** Small integers stored as floats add exactly, so the ring must match the reference sum exactly. */
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void sumsIntegersExactlyOverManyBuckets(int world) {
    int length = 5 * BUCKET_FLOATS + 7;
    try (LocalRing ring = LocalRing.form(world, LocalRing.FAST)) {
      List<float[]> results = ring.onEveryRank(c -> reduce(c, integers(c.rank(), length), true));
      float[] expected = new float[length];
      for (int r = 0; r < world; r++) {
        float[] mine = integers(r, length);
        for (int i = 0; i < length; i++) {
          expected[i] += mine[i];
        }
      }
      results.forEach(result -> assertArrayEquals(expected, result));
    }
  }

  /**
   * Random floats: the sum depends on the order it is taken in, yet every rank must hold the same bits (the
   * optimizer steps must not drift apart) and the same bits again when the operation is repeated. Frames span
   * several staging segments here.
   */
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void randomFloatsAreBitIdenticalOnEveryRankAndRepeatable(int world) {
    int length = 3 * RingAllReduce.SEGMENT_FLOATS * world + 11;
    CollectiveOptions options = new CollectiveOptions(Duration.ofSeconds(20), Duration.ofSeconds(20),
        4 << 20, 4 << 20);
    try (LocalRing ring = LocalRing.form(world, options)) {
      List<float[]> first = ring.onEveryRank(c -> reduce(c, gaussians(c.rank(), length), true));
      List<float[]> second = ring.onEveryRank(c -> reduce(c, gaussians(c.rank(), length), false));
      double[] reference = new double[length];
      double[] magnitude = new double[length];
      for (int r = 0; r < world; r++) {
        float[] mine = gaussians(r, length);
        for (int i = 0; i < length; i++) {
          reference[i] += mine[i];
          magnitude[i] += Math.abs(mine[i]);
        }
      }
      for (int r = 0; r < world; r++) {
        assertArrayEquals(first.get(0), first.get(r), "rank " + r + " differs from rank 0");
        assertArrayEquals(first.get(0), second.get(r), "rank " + r + " differs on the second run");
      }
      for (int i = 0; i < length; i++) {
        // W − 1 float additions each round by at most half an ulp of the running magnitude.
        assertEquals(reference[i], first.get(0)[i], world * Math.ulp((float) magnitude[i]), "element " + i);
      }
    }
  }

  /** Lengths shorter than W, not divisible by W, empty, and a window of a larger buffer; heap, direct, BE. */
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void handlesOddLengthsAndBufferKinds(int world) {
    int[] lengths = {0, 1, world - 1, world + 1, 2 * world + 1, BUCKET_FLOATS - 1, BUCKET_FLOATS + world - 1};
    try (LocalRing ring = LocalRing.form(world, LocalRing.FAST)) {
      for (int length : lengths) {
        for (BufferKind kind : BufferKind.values()) {
          List<float[]> results = ring.onEveryRank(c -> {
            FloatBuffer buffer = kind.wrap(integers(c.rank(), length));
            c.allReduceSum(buffer);
            return contents(buffer);
          });
          float[] expected = new float[length];
          for (int r = 0; r < world; r++) {
            float[] mine = integers(r, length);
            for (int i = 0; i < length; i++) {
              expected[i] += mine[i];
            }
          }
          for (float[] result : results) {
            assertArrayEquals(expected, result, kind + " buffer of " + length);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void reducesOnlyBetweenPositionAndLimit(int world) {
    try (LocalRing ring = LocalRing.form(world, LocalRing.FAST)) {
      List<FloatBuffer> results = ring.onEveryRank(c -> {
        FloatBuffer buffer = FloatBuffer.wrap(new float[] {5, 1, 2, 3, 5});
        buffer.position(1).limit(4);
        c.allReduceSum(buffer);
        return buffer;
      });
      for (FloatBuffer buffer : results) {
        assertEquals(1, buffer.position());
        assertEquals(4, buffer.limit());
        assertArrayEquals(new float[] {5, world, 2 * world, 3 * world, 5}, buffer.array());
      }
    }
  }

  /** Consecutive operations of every kind and size on the same links keep their frames apart. */
  @ParameterizedTest
  @ValueSource(ints = {2, 4})
  void runsManyConsecutiveOperations(int world) {
    try (LocalRing ring = LocalRing.form(world, LocalRing.FAST)) {
      List<Integer> checked = ring.onEveryRank(c -> {
        int ops = 0;
        for (int round = 0; round < 25; round++) {
          int length = (round * 397) % (3 * BUCKET_FLOATS);
          float[] sum = reduce(c, filled(length, c.rank() + round), false);
          float expected = world * round + world * (world - 1) / 2f;
          for (float value : sum) {
            assertEquals(expected, value);
          }
          FloatBuffer broadcast = FloatBuffer.wrap(filled(length + 1, c.rank()));
          c.broadcast(broadcast, round % world);
          assertArrayEquals(filled(length + 1, round % world), broadcast.array());
          c.barrier();
          ops += 3;
        }
        return ops;
      });
      checked.forEach(ops -> assertEquals(75, ops));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void broadcastsFromEveryRoot(int world) {
    int length = 3 * BUCKET_FLOATS + 5;
    try (LocalRing ring = LocalRing.form(world, LocalRing.FAST)) {
      for (int root = 0; root < world; root++) {
        int from = root;
        List<float[]> results = ring.onEveryRank(c -> {
          FloatBuffer buffer = BufferKind.DIRECT.wrap(gaussians(c.rank(), length));
          c.broadcast(buffer, from);
          return contents(buffer);
        });
        float[] expected = gaussians(root, length);
        results.forEach(result -> assertArrayEquals(expected, result));
      }
    }
  }

  /** No rank leaves the barrier before the last one has entered it. */
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void barrierWaitsForTheLastRank(int world) {
    try (LocalRing ring = LocalRing.form(world, LocalRing.FAST)) {
      List<long[]> times = ring.onEveryRank(c -> {
        Thread.sleep(60L * c.rank());
        long entered = System.nanoTime();
        c.barrier();
        return new long[] {entered, System.nanoTime()};
      });
      long lastEntry = times.stream().mapToLong(t -> t[0]).max().orElseThrow();
      for (long[] t : times) {
        assertTrue(t[1] >= lastEntry, "a rank left the barrier before the last one entered");
      }
    }
  }

  private static float[] reduce(Collective collective, float[] values, boolean direct) {
    FloatBuffer buffer = direct ? BufferKind.DIRECT.wrap(values) : FloatBuffer.wrap(values);
    collective.allReduceSum(buffer);
    return contents(buffer);
  }

  private static float[] contents(FloatBuffer buffer) {
    float[] out = new float[buffer.remaining()];
    buffer.get(buffer.position(), out);
    return out;
  }

  private static float[] integers(int rank, int length) {
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = (i % 1013) * (rank + 1) - 500 * rank;
    }
    return values;
  }

  private static float[] gaussians(int rank, int length) {
    Random random = new Random(1234 + rank);
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
    }
    return values;
  }

  private static float[] filled(int length, float value) {
    float[] values = new float[length];
    java.util.Arrays.fill(values, value);
    return values;
  }

  /** The buffers the trainer may hand over: heap arrays, direct native-order views, big-endian views. */
  enum BufferKind {
    HEAP, DIRECT, DIRECT_BIG_ENDIAN;

    FloatBuffer wrap(float[] values) {
      FloatBuffer buffer = switch (this) {
        case HEAP -> FloatBuffer.allocate(values.length);
        case DIRECT -> ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder())
            .asFloatBuffer();
        case DIRECT_BIG_ENDIAN -> ByteBuffer.allocateDirect(values.length * Float.BYTES)
            .order(ByteOrder.BIG_ENDIAN).asFloatBuffer();
      };
      buffer.put(values).flip();
      return buffer;
    }
  }
}
