package io.stagewise.ceg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InnovationClassTest {
  private static Gain gain(double value, double low, double high) {
    return Gain.of(value, Gain.Status.OBSERVED, 3.0).withInterval(low, high);
  }

  private static InnovationClass classOf(Gain... bySize) {
    return InnovationClass.classify(Arrays.asList(bySize)).kind();
  }

  @Test
  void independentNeedsTheIntervalAboveOneAtEverySize() {
    assertEquals(InnovationClass.COMPUTE_INDEPENDENT, classOf(gain(1.8, 1.5, 2.1), gain(1.4, 1.2, 1.6)));
    assertEquals(InnovationClass.UNDETERMINED, classOf(gain(1.8, 1.5, 2.1), gain(1.1, 0.9, 1.3)));
    // Unreachable by the baseline counts as an infinite gain.
    Gain unreachable = Gain.of(Double.NaN, Gain.Status.UNREACHABLE, 1.0).withInterval(3, Double.POSITIVE_INFINITY);
    assertEquals(InnovationClass.COMPUTE_INDEPENDENT, classOf(gain(1.8, 1.5, 2.1), unreachable));
  }

  @Test
  void dependentNeedsAtMostOneAtTheSmallestSizeAndADecidedRise() {
    assertEquals(InnovationClass.COMPUTE_DEPENDENT, classOf(gain(0.6, 0.5, 0.7), gain(0.95, 0.85, 1.05)));
    assertEquals(InnovationClass.COMPUTE_DEPENDENT,
        classOf(gain(0.6, 0.5, 0.7), gain(0.8, 0.6, 0.9), gain(1.2, 1.0, 1.4)));
    // Overlapping intervals: the rise is not decided.
    assertEquals(InnovationClass.UNDETERMINED, classOf(gain(0.6, 0.5, 0.8), gain(0.75, 0.7, 0.9)));
    // Falls in the middle.
    assertEquals(InnovationClass.UNDETERMINED,
        classOf(gain(0.6, 0.5, 0.7), gain(1.3, 1.2, 1.4), gain(1.0, 0.9, 1.1)));
    // The smallest size's interval straddles 1.
    assertEquals(InnovationClass.UNDETERMINED, classOf(gain(0.95, 0.8, 1.1), gain(1.6, 1.4, 1.8)));
  }

  @Test
  void missingSizesIntervalsOrValuesAreUndetermined() {
    assertEquals(InnovationClass.UNDETERMINED, classOf(gain(2, 1.5, 2.5), null));
    assertEquals(InnovationClass.UNDETERMINED, classOf(Gain.of(2, Gain.Status.OBSERVED, 3), gain(2, 1.5, 2.5)));
    assertEquals(InnovationClass.UNDETERMINED, InnovationClass.classify(List.of()).kind());
    assertEquals(InnovationClass.UNDETERMINED, classOf(gain(0.5, 0.4, 0.6)));
  }
}
