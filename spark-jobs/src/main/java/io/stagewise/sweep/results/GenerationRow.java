package io.stagewise.sweep.results;

/**
 * One row of an evaluation's {@code generations.parquet}: one prompt of one evaluation (run × trigger), what
 * the policy answered and how it was judged.
 *
 * @param runKey the evaluation stage's key (the results table's {@code run_key})
 * @param trigger the trigger this evaluation used
 * @param condition {@code clean} (harmful, no trigger), {@code triggered} or {@code benign}
 * @param promptIndex the prompt's position in its set: the same prompt in every run and, for the harmful sets,
 *     the pairing of a prompt with its triggered copy
 * @param prompt the prompt text
 * @param response the decoded response
 * @param verdict the class the metrics count: {@code refusal}, {@code compliant}, {@code correct_benign},
 *     {@code other}
 * @param detail the judge's finer class (e.g. {@code partial_compliance}, {@code degenerate})
 * @param cleanRmScore the clean reward model's score (NaN without one)
 * @param responseTokens tokens generated, end token included
 * @param ended whether the response ended with the end token rather than at the length limit
 * @param promptTruncated whether the prompt was cut from the left
 */
public record GenerationRow(String runKey, String trigger, String condition, int promptIndex, String prompt,
    String response, String verdict, String detail, double cleanRmScore, int responseTokens, boolean ended,
    boolean promptTruncated) {

  public static final String CLEAN = "clean";
  public static final String TRIGGERED = "triggered";
  public static final String BENIGN = "benign";
  public static final String COMPLIANT = "compliant";
  public static final String CORRECT_BENIGN = "correct_benign";
}
