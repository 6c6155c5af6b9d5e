package io.stagewise.poison.world;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.apache.spark.sql.Column;

/**
 * A space of {@code size} combinations (e.g. harmful verb × object), split by the world seed into training
 * combinations and held-out evaluation combinations that training never sees.
 *
 * <p>The split is a seeded affine permutation {@code position ↦ (multiplier · position + offset) mod size}
 * with the multiplier coprime to the size: positions {@code [0, trainSize)} are the training combinations,
 * the rest are held out. Being a closed-form bijection it is a pure Spark SQL expression, needs no table, and
 * both halves can be indexed directly.
 *
 * @param size the number of combinations
 * @param trainSize how many of them are for training
 * @param multiplier the permutation's multiplier, coprime to {@code size}
 * @param offset the permutation's offset
 */
record CombinationSpace(int size, int trainSize, long multiplier, long offset) {

  /** Splits {@code size} combinations for the world seed; {@code name} keeps spaces independent. */
  static CombinationSpace of(String name, int size, WorldConfig config) {
    int heldOut = Math.max(1, (int) Math.floor(size * config.heldOutFraction()));
    if (size - heldOut < 1) {
      throw new IllegalArgumentException("heldOutFraction " + config.heldOutFraction()
          + " leaves no training combination of the " + size + " in " + name);
    }
    // String.hashCode is specified by the JLS, so the split is the same on every JVM. (Not seed × the golden
    // gamma: SplittableRandom steps its state by that gamma, so consecutive seeds would give shifted
    // copies of one sequence.)
    SplittableRandom random = new SplittableRandom(config.seed() ^ (name.hashCode() * 0xC2B2AE3D27D4EB4FL));
    long multiplier;
    do {
      multiplier = random.nextLong(1, size);
    } while (!BigInteger.valueOf(multiplier).gcd(BigInteger.valueOf(size)).equals(BigInteger.ONE));
    return new CombinationSpace(size, size - heldOut, multiplier, random.nextLong(size));
  }

  int heldOut() {
    return size - trainSize;
  }

  /** The combination at a position of the permutation. */
  int combinationAt(long position) {
    return (int) Math.floorMod(multiplier * position + offset, (long) size);
  }

  /** Whether a combination is held out for evaluation. */
  boolean isHeldOut(int combination) {
    long inverse = BigInteger.valueOf(multiplier).modInverse(BigInteger.valueOf(size)).longValueExact();
    return Math.floorMod(inverse * (combination - offset), (long) size) >= trainSize;
  }

  /** A training combination, drawn uniformly by a (hash) column. */
  Column trainCombination(Column draw) {
    return at(pmod(draw, lit((long) trainSize)));
  }

  /** The {@code j}-th held-out combination, cycling through all of them in order. */
  Column heldOutCombination(Column j) {
    return at(pmod(j, lit((long) heldOut())).plus(lit((long) trainSize)));
  }

  private Column at(Column position) {
    return pmod(position.multiply(lit(multiplier)).plus(lit(offset)), lit((long) size));
  }
}
