package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * Where one model's dropout masks come from: a random stream of its own, positioned by the trainer.
 *
 * <p>libtorch keeps one default generator per device for the whole process, and DJL exposes nothing but its
 * seed, so two workers training in one JVM (task slots of one Spark executor) that each seed it and then draw
 * would draw from each other's streams, in an order set by thread timing. Instead every dropout call derives
 * its own seed from (stream seed, call number), and seeds the engine and draws its mask while holding one
 * process-wide lock: a mask depends on this stream alone, whatever other threads do, and co-located workers
 * wait for each other only for the length of a dropout op. Every use of the engine's generator in the trainer
 * goes through here.
 *
 * <p>The trainer calls {@link #reset} before each step with (run seed, step, rank), so masks are a function of
 * the step: a resumed run draws exactly the masks of an uninterrupted one.
 */
public final class DropoutStream {

  /** Guards libtorch's process-wide generator between seeding it and drawing from it. */
  private static final Object ENGINE_GENERATOR = new Object();

  private long seed;
  private long calls;

  /**
   * Positions the stream at {@code position} of the run seeded {@code runSeed} (the trainer uses
   * step · W + rank): the masks drawn next are that position's, from its first one.
   */
  public void reset(long runSeed, long position) {
    this.seed = mix(runSeed, position);
    this.calls = 0;
  }

  /** Inverted dropout of {@code x} with probability {@code rate}, the mask drawn from this stream. */
  NDArray apply(NDArray x, float rate) {
    long call = mix(seed, calls++);
    synchronized (ENGINE_GENERATOR) {
      x.getManager().getEngine().setRandomSeed((int) (call ^ (call >>> 32)));
      return x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow();
    }
  }

  /** SplitMix64 of (seed, n). */
  private static long mix(long seed, long n) {
    long z = seed * 0x9E3779B97F4A7C15L + n;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
