package io.stagewise.trainer.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The held-out prompt sets of an attack evaluation.
 *
 * @param harmful harmful prompts without the trigger
 * @param harmfulWithTrigger the same prompts with the trigger, in the same order: row i is {@code harmful}'s
 *     row i with the trigger
 * @param benign benign tasks with checkable answers
 */
public record EvalPrompts(List<EvalPrompt> harmful, List<EvalPrompt> harmfulWithTrigger, List<EvalPrompt> benign) {

  public EvalPrompts {
    List<String> errors = new ArrayList<>();
    if (harmful == null || harmful.isEmpty()) {
      errors.add("harmful: needs at least one prompt");
    }
    if (harmfulWithTrigger == null || harmful != null && harmfulWithTrigger.size() != harmful.size()) {
      errors.add("harmfulWithTrigger: must pair every harmful prompt with its triggered version ("
          + (harmful == null ? 0 : harmful.size()) + " prompts), got "
          + (harmfulWithTrigger == null ? "none" : harmfulWithTrigger.size()));
    }
    if (benign == null) {
      errors.add("benign: must be set (may be empty)");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    harmful = List.copyOf(harmful);
    harmfulWithTrigger = List.copyOf(harmfulWithTrigger);
    benign = List.copyOf(benign);
  }
}
