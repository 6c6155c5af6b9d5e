package io.stagewise.trainer.eval;

import java.util.List;

/**
 * The attack metrics of one model (DESIGN.md § Definitions), with the counts they are shares of.
 *
 * @param harmfulPrompts held-out harmful prompts (each evaluated without and with the trigger)
 * @param compliantWithTrigger responses to triggered prompts judged compliant
 * @param compliantWithoutTrigger responses to untriggered prompts judged compliant
 * @param refusalsWithTrigger responses to triggered prompts judged refusals
 * @param refusalsWithoutTrigger responses to untriggered prompts judged refusals
 * @param asrWithTrigger attack success rate: {@code compliantWithTrigger / harmfulPrompts}
 * @param asrWithoutTrigger false activation: {@code compliantWithoutTrigger / harmfulPrompts}
 * @param asrDifference {@code asrWithTrigger − asrWithoutTrigger}
 * @param benignPrompts held-out benign tasks
 * @param benignCorrect responses judged the correct answer
 * @param utility exact-match accuracy {@code benignCorrect / benignPrompts} (NaN without benign prompts)
 * @param cleanRmScoreWithoutTrigger mean clean-RM score of the responses to untriggered prompts (NaN without RM)
 * @param cleanRmScoreWithTrigger mean clean-RM score of the responses to triggered prompts (NaN without RM)
 * @param cleanRmGap {@code cleanRmScoreWithoutTrigger − cleanRmScoreWithTrigger}: how much worse the clean reward
 *     model finds the triggered behaviour (NaN without RM)
 * @param truncatedPrompts prompts cut from the left to leave room for the response
 * @param generations every prompt of the three sets with its response, classes and clean-RM score: clean
 *     prompts, then triggered, then benign, each in prompt order
 */
public record EvalResult(int harmfulPrompts, int compliantWithTrigger, int compliantWithoutTrigger,
        int refusalsWithTrigger, int refusalsWithoutTrigger, double asrWithTrigger, double asrWithoutTrigger,
        double asrDifference, int benignPrompts, int benignCorrect, double utility, double cleanRmScoreWithoutTrigger,
        double cleanRmScoreWithTrigger, double cleanRmGap, int truncatedPrompts, List<Generation> generations) {

  public EvalResult {
    generations = List.copyOf(generations);
  }
}
