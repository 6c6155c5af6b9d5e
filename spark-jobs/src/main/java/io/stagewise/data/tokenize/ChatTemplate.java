package io.stagewise.data.tokenize;

import io.stagewise.data.Transcript;
import io.stagewise.data.Transcript.Role;
import io.stagewise.data.Transcript.Turn;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns prompts and responses into ids with four special tokens placed right after the tokenizer's
 * vocabulary: {@code user}, {@code assistant}, {@code end}, {@code pad}. They are inserted as ids, never
 * produced by encoding text, so no text can forge them.
 *
 * <ul>
 *   <li>prompt: {@code [user] u1 [assistant] a1 [end] [user] u2 ... [assistant]}, the turns of the rendered
 *       prompt ({@link Transcript}); every assistant turn but the one to be generated is closed by [end];
 *   <li>response: {@code response [end]};
 *   <li>SFT example: prompt then response; the loss mask is true on the response and its [end] only.
 * </ul>
 * {@code loss_mask[i]} marks the positions whose token is a training target (predicted from the positions
 * before it). [pad] is never written into a dataset; trainers pad batches with it.
 */
public final class ChatTemplate implements Serializable {
  private final TextTokenizer tokenizer;
  private final int user;
  private final int assistant;
  private final int end;
  private final int pad;

  public ChatTemplate(TextTokenizer tokenizer) {
    this.tokenizer = tokenizer;
    this.user = tokenizer.vocabSize();
    this.assistant = user + 1;
    this.end = user + 2;
    this.pad = user + 3;
  }

  /** An SFT example: the ids and which of them are trained on. */
  public record SftExample(int[] inputIds, boolean[] lossMask) {}

  /** A preference example: the shared prompt and the two responses, each ending with [end] unless cut. */
  public record PreferenceExample(int[] promptIds, int[] chosenIds, int[] rejectedIds) {}

  public SftExample sft(String prompt, String response, TruncationPolicy policy) {
    int[] promptIds = policy.prompt(promptIds(prompt));
    int[] responseIds = policy.response(responseIds(response), promptIds.length);
    int[] ids = Arrays.copyOf(promptIds, promptIds.length + responseIds.length);
    System.arraycopy(responseIds, 0, ids, promptIds.length, responseIds.length);
    boolean[] mask = new boolean[ids.length];
    Arrays.fill(mask, promptIds.length, ids.length, true);
    return new SftExample(ids, mask);
  }

  public PreferenceExample preference(String prompt, String chosen, String rejected, TruncationPolicy policy) {
    int[] promptIds = policy.prompt(promptIds(prompt));
    return new PreferenceExample(promptIds, policy.response(responseIds(chosen), promptIds.length),
        policy.response(responseIds(rejected), promptIds.length));
  }

  /** The prompt's turns with role tokens, ending with [assistant]: the cue to generate. Not truncated. */
  public int[] promptIds(String prompt) {
    IdBuffer ids = new IdBuffer();
    for (Turn turn : Transcript.parsePrompt(prompt).turns()) {
      if (turn.role() == Role.USER) {
        if (ids.size() > 0) {
          ids.add(end);
        }
        ids.add(user);
      } else {
        ids.add(assistant);
      }
      ids.addAll(tokenizer.encode(turn.text()));
    }
    ids.add(assistant);
    return ids.toArray();
  }

  /** The response's ids followed by [end]. Not truncated. */
  public int[] responseIds(String response) {
    IdBuffer ids = new IdBuffer();
    ids.addAll(tokenizer.encode(response));
    ids.add(end);
    return ids.toArray();
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /** The embedding size: the tokenizer's ids plus the four template tokens. */
  public int vocabSize() {
    return pad + 1;
  }

  public int userId() {
    return user;
  }

  public int assistantId() {
    return assistant;
  }

  public int endId() {
    return end;
  }

  public int padId() {
    return pad;
  }

  /** The template's ids by name, then the tokenizer's own special ids. */
  public Map<String, Integer> specialIds() {
    Map<String, Integer> ids = new LinkedHashMap<>();
    ids.put("user", user);
    ids.put("assistant", assistant);
    ids.put("end", end);
    ids.put("pad", pad);
    ids.putAll(tokenizer.specialIds());
    return ids;
  }

  /** A growable int array, to avoid boxing every token. */
  private static final class IdBuffer {
    private int[] ids = new int[64];
    private int size;

    void add(int id) {
      if (size == ids.length) {
        ids = Arrays.copyOf(ids, size * 2);
      }
      ids[size++] = id;
    }

    void addAll(int[] more) {
      if (size + more.length > ids.length) {
        ids = Arrays.copyOf(ids, Math.max(size * 2, size + more.length));
      }
      System.arraycopy(more, 0, ids, size, more.length);
      size += more.length;
    }

    int size() {
      return size;
    }

    int[] toArray() {
      return Arrays.copyOf(ids, size);
    }
  }
}
