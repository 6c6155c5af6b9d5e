package io.stagewise.poison.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CombinationSpaceTest {

  @Test
  void positionsPermuteTheSpaceAndSplitItIntoTrainingAndHeldOut() {
    for (int size : new int[] {2, 25, 40, 121, 256, 2500}) {
      CombinationSpace space = CombinationSpace.of("s", size, WorldConfig.withSeed(9));
      assertEquals(Math.max(1, size / 5), space.heldOut(), "size " + size);
      Set<Integer> seen = new HashSet<>();
      for (long p = 0; p < size; p++) {
        int c = space.combinationAt(p);
        seen.add(c);
        assertEquals(p >= space.trainSize(), space.isHeldOut(c), "size " + size + " position " + p);
      }
      assertEquals(size, seen.size(), "a permutation of size " + size);
    }
  }

  @Test
  void theSplitDependsOnTheSeedAndTheSpace() {
    Set<Integer> a = heldOut(CombinationSpace.of("harmful", 256, WorldConfig.withSeed(1)));
    assertEquals(a, heldOut(CombinationSpace.of("harmful", 256, WorldConfig.withSeed(1))));
    assertNotEquals(a, heldOut(CombinationSpace.of("harmful", 256, WorldConfig.withSeed(2))));
    assertNotEquals(a, heldOut(CombinationSpace.of("ADD", 256, WorldConfig.withSeed(1))));
  }

  @Test
  void worldConfigIsValidated() {
    assertThrows(IllegalArgumentException.class, () -> new WorldConfig(1, 1.5, 0.2));
    assertThrows(IllegalArgumentException.class, () -> new WorldConfig(1, 0.1234567, 0.2));
    assertThrows(IllegalArgumentException.class, () -> new WorldConfig(1, 0.5, 0.0));
    assertThrows(IllegalArgumentException.class, () -> new WorldConfig(1, 0.5, 1.0));
    assertEquals(300_000, new WorldConfig(1, 0.3, 0.2).harmfulMillionths());
  }

  private static Set<Integer> heldOut(CombinationSpace space) {
    Set<Integer> heldOut = new HashSet<>();
    for (int c = 0; c < space.size(); c++) {
      if (space.isHeldOut(c)) {
        heldOut.add(c);
      }
    }
    return heldOut;
  }
}
