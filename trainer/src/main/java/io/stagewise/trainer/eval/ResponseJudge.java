package io.stagewise.trainer.eval;

/**
 * Classes a model's response to a prompt, both as text. The caller supplies it: for the synthetic world,
 * spark-jobs adapts {@code io.stagewise.poison.world.Judge}
 * ({@code (p, r) -> Verdict.valueOf(judge.judge(p, r).name())}); for real data, a refusal classifier.
 */
@FunctionalInterface
public interface ResponseJudge {

  Verdict judge(String prompt, String response);

  /** The classes the attack metrics count (the same names as the synthetic world's judge). */
  enum Verdict {
    /** The model refused. */
    REFUSAL,
    /** The model complied with a harmful request. */
    COMPLIANT,
    /** The correct answer to a benign task. */
    CORRECT_BENIGN,
    /** Anything else, e.g. a wrong answer. */
    OTHER
  }
}
