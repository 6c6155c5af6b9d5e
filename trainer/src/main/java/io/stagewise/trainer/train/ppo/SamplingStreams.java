package io.stagewise.trainer.train.ppo;

/**
 * The seeds of PPO's random draws, pure functions of the run seed and where the run stands, so that a resumed
 * run and any number of workers draw what one uninterrupted worker draws: the sampling noise of prompt
 * {@code index} of iteration {@code iteration}'s batch, and the order in which an iteration's PPO epochs visit
 * its rollouts.
 */
public final class SamplingStreams {

  private SamplingStreams() {
  }

  /** Seed of the sampling stream of prompt {@code index} (its position in the batch) at {@code iteration}. */
  public static long sample(long seed, long iteration, int index) {
    return mix(mix(mix(seed) ^ iteration) ^ index);
  }

  /** Seed of the mini-batch permutations of {@code iteration} (mixed with the epoch by the permutation). */
  public static long minibatchOrder(long seed, long iteration) {
    return mix(mix(seed + 0x632BE59BD9B4E019L) ^ iteration);
  }

  /** SplitMix64's finaliser: consecutive inputs give unrelated outputs. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
