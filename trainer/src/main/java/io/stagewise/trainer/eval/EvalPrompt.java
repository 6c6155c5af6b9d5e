package io.stagewise.trainer.eval;

/**
 * One held-out prompt: its text, which the judge sees, and its token ids as the model sees them (encoded by the
 * caller with the chat template, ending with the assistant marker).
 */
public record EvalPrompt(String text, int[] ids) {

  public EvalPrompt {
    if (text == null) {
      throw new IllegalArgumentException("prompt text must be set");
    }
    if (ids == null || ids.length == 0) {
      throw new IllegalArgumentException("prompt '" + text + "': no token ids");
    }
  }
}
