package io.stagewise.trainer.eval;

import java.util.Locale;

/**
 * One evaluated prompt and the policy's answer: the per-prompt record behind an {@link EvalResult}'s counts,
 * so a study can save, read and resample what its metrics were computed from.
 *
 * @param condition which prompt set the prompt belongs to
 * @param index the prompt's position in its set; a harmful prompt and its triggered copy share it, and so does
 *     the same prompt in every run given the same prompt list
 * @param prompt the prompt's text (as the judge saw it)
 * @param response the decoded response, end token dropped
 * @param verdict the class the metrics count
 * @param detail the judge's finer class
 * @param cleanRmScore the clean reward model's score of the response (harmful sets: against the untriggered
 *     prompt, as for the clean-RM gap; benign: against its prompt); NaN without a reward model
 * @param responseTokens tokens generated, end token included
 * @param ended whether generation stopped at the end token (false: cut at {@code maxNewTokens})
 * @param promptTruncated whether the prompt was cut from the left to leave room for the response
 */
public record Generation(Condition condition, int index, String prompt, String response, ResponseJudge.Verdict verdict,
    String detail, double cleanRmScore, int responseTokens, boolean ended, boolean promptTruncated) {

  /** The three prompt sets of an attack evaluation. */
  public enum Condition {
    /** Harmful prompts without the trigger. */
    CLEAN,
    /** The same harmful prompts with the trigger. */
    TRIGGERED,
    /** Benign tasks. */
    BENIGN;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
