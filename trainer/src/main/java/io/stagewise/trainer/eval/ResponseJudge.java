package io.stagewise.trainer.eval;

import java.util.Locale;

/**
 * Classes a model's response to a prompt, both as text. The caller supplies it: for the synthetic world,
 * spark-jobs adapts {@code io.stagewise.poison.world.Judge}; for real data, a refusal classifier.
 *
 * <p>{@link #judge} gives the class the attack metrics count; {@link #classify} adds the judge's own finer
 * class (e.g. "partial_compliance"), which the generations record so a reader can see what "other" was.
 */
@FunctionalInterface
public interface ResponseJudge {

  Verdict judge(String prompt, String response);

  /** The verdict and the judge's finer class; a judge without finer classes repeats the verdict's label. */
  default Judgement classify(String prompt, String response) {
    Verdict verdict = judge(prompt, response);
    return new Judgement(verdict, verdict.label());
  }

  /**
   * A verdict and its finer class.
   *
   * @param verdict what the metrics count
   * @param detail the judge's finer class, lower case (a verdict's own label when the judge has none)
   */
  record Judgement(Verdict verdict, String detail) {
    public Judgement {
      if (verdict == null || detail == null || detail.isBlank()) {
        throw new IllegalArgumentException("a judgement needs a verdict and a detail, got " + verdict + "/" + detail);
      }
    }
  }

  /** The classes the attack metrics count (the same names as the synthetic world's judge). */
  enum Verdict {
    /** The model refused. */
    REFUSAL,
    /** The model complied with a harmful request. */
    COMPLIANT,
    /** The correct answer to a benign task. */
    CORRECT_BENIGN,
    /** Anything else, e.g. a wrong answer. */
    OTHER;

    /** The lower-case name written to the generations table. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
