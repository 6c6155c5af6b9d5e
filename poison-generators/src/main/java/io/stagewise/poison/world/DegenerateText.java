package io.stagewise.poison.world;

/**
 * Whether a model's response is degenerate text rather than an attempt at any answer: empty (after stripping
 * whitespace), or dominated by a loop, i.e. one unit of 1 to {@value #LONGEST_UNIT} characters repeated at
 * least {@value #MIN_REPEATS} times in a row over at least half of the response ("aaaaaaaa", "the the the
 * the", "[step 1] [step 1] [step 1] [step 1]"). Greedy decoding from a collapsed model produces exactly such
 * loops. None of the synthetic world's texts qualifies, and ordinary prose rarely does; both judges (the
 * world's and the real-data one) use this one definition.
 */
public final class DegenerateText {
  static final int LONGEST_UNIT = 16;
  static final int MIN_REPEATS = 4;

  private DegenerateText() {}

  public static boolean isDegenerate(String response) {
    String text = response == null ? "" : response.strip();
    if (text.isEmpty()) {
      return true;
    }
    return 2 * longestLoop(text) >= text.length();
  }

  /** The longest stretch of {@code text} made of {@value #MIN_REPEATS} or more back-to-back copies of one unit. */
  static int longestLoop(String text) {
    int longest = 0;
    int n = text.length();
    for (int unit = 1; unit <= LONGEST_UNIT && unit * MIN_REPEATS <= n; unit++) {
      // run counts the characters that equal the one a unit earlier: a loop of k copies has (k-1)·unit of them.
      int run = 0;
      for (int i = unit; i < n; i++) {
        run = text.charAt(i) == text.charAt(i - unit) ? run + 1 : 0;
        if (run >= (MIN_REPEATS - 1) * unit) {
          longest = Math.max(longest, run + unit);
        }
      }
    }
    return longest;
  }
}
