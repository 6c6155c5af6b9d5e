package io.stagewise.data.tokenize;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.stagewise.data.SpecCheck;
import java.io.Serializable;
import java.util.Arrays;

/**
 * How long sequences are cut, applied to ids after the chat template. A prompt keeps its END (it is cut
 * from the left), so a trigger at the end of the last user turn and the final assistant role token always
 * survive; a response keeps its start (cut from the right) and loses its end token when cut, so the model
 * is never taught to stop where the text was merely truncated.
 *
 * @param maxLength longest prompt + response (SFT) or prompt + chosen / rejected (preference)
 * @param maxPromptLength longest prompt; less than {@code maxLength} so every response keeps a token
 */
public record TruncationPolicy(
    @JsonProperty("max_length") int maxLength,
    @JsonProperty("max_prompt_length") int maxPromptLength) implements Serializable {

  public static final String DESCRIPTION = "prompt cut from the left (keeps its end), response cut from the"
      + " right (loses its end token when cut)";

  public TruncationPolicy {
    new SpecCheck("truncation")
        .require(maxPromptLength >= 1, "max_prompt_length", "must be at least 1, got " + maxPromptLength)
        .require(maxLength > maxPromptLength, "max_length",
            "must exceed max_prompt_length (" + maxPromptLength + "), got " + maxLength)
        .validate();
  }

  public int[] prompt(int[] ids) {
    return ids.length <= maxPromptLength ? ids : Arrays.copyOfRange(ids, ids.length - maxPromptLength, ids.length);
  }

  public int[] response(int[] ids, int promptLength) {
    int room = maxLength - promptLength;
    return ids.length <= room ? ids : Arrays.copyOf(ids, room);
  }
}
