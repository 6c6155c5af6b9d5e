package io.stagewise.ceg;

import java.util.List;

/**
 * How an innovation's FLOPs CEG behaves across model sizes (issue 6, after arXiv 2505.04075). A class is only
 * given when the bootstrap intervals decide it; everything else is {@link #UNDETERMINED}, never a guess.
 */
public enum InnovationClass {
  /** CEG > 1 at every size: the interval's lower bound exceeds 1 everywhere. */
  COMPUTE_INDEPENDENT("compute-independent"),
  /**
   * CEG ≤ 1 at the smallest size (the interval's upper bound at most 1) and rising with size: point estimates
   * never fall from one size to the next, and the largest size's interval lies wholly above the smallest's.
   */
  COMPUTE_DEPENDENT("compute-dependent"),
  /** The intervals decide neither, a size is missing or has no interval (fewer than two seeds). */
  UNDETERMINED("undetermined");

  private final String words;

  InnovationClass(String words) {
    this.words = words;
  }

  public String words() {
    return words;
  }

  /** A class with the reason for it, in words fit for a report. */
  public record Verdict(InnovationClass kind, String reason) {}

  /** Classes the FLOPs gains of one innovation, one per size, smallest size first (null: size not run). */
  public static Verdict classify(List<Gain> bySize) {
    if (bySize.isEmpty() || bySize.stream().anyMatch(g -> g == null)) {
      return new Verdict(UNDETERMINED, "not every size was run");
    }
    if (bySize.stream().anyMatch(g -> Double.isNaN(g.orderValue()))) {
      return new Verdict(UNDETERMINED, "a size has no gain (" + firstMissing(bySize) + ")");
    }
    if (bySize.stream().anyMatch(g -> !g.hasInterval())) {
      return new Verdict(UNDETERMINED, "a size has no confidence interval (fewer than two seeds on a side)");
    }
    if (bySize.stream().allMatch(g -> g.low() > 1)) {
      return new Verdict(COMPUTE_INDEPENDENT, "the interval lies above 1 at every size");
    }
    Gain smallest = bySize.get(0);
    Gain largest = bySize.get(bySize.size() - 1);
    if (bySize.size() < 2) {
      return new Verdict(UNDETERMINED, "one size cannot show a trend, and its interval does not lie above 1");
    }
    boolean rising = true;
    for (int i = 1; i < bySize.size(); i++) {
      rising &= bySize.get(i).orderValue() >= bySize.get(i - 1).orderValue();
    }
    if (smallest.high() <= 1 && rising && largest.low() > smallest.high()) {
      return new Verdict(COMPUTE_DEPENDENT,
          "the interval lies at or below 1 at the smallest size and the gain rises with size beyond it");
    }
    if (smallest.high() > 1 && smallest.orderValue() <= 1) {
      return new Verdict(UNDETERMINED, "the smallest size's interval straddles 1");
    }
    if (smallest.orderValue() > 1) {
      return new Verdict(UNDETERMINED, "above 1 at the smallest size but an interval reaches 1 or below");
    }
    return new Verdict(UNDETERMINED, rising ? "the rise with size is within the intervals"
        : "the gain does not rise with size");
  }

  private static String firstMissing(List<Gain> bySize) {
    return bySize.stream().filter(g -> Double.isNaN(g.orderValue())).findFirst().orElseThrow().status().words();
  }
}
