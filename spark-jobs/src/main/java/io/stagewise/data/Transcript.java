package io.stagewise.data;

import io.stagewise.poison.Columns;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A multi-turn chat context, and the one definition of how it is rendered into a {@code prompt} string.
 *
 * <p><b>Rendering.</b> The first user turn's text, then for each later turn its role marker
 * ({@link Columns#ASSISTANT_MARKER} or {@link Columns#USER_MARKER}) immediately followed by its text, with
 * no separator or whitespace added: {@code "Hi<|assistant|>Hello!<|user|>How are you?"}. A single-turn prompt
 * is just its text. A rendered context ends with a user turn, so a trigger appended to the prompt lands at
 * the end of the last user turn. The tokenizer's chat template parses the markers back with
 * {@link #parsePrompt} and maps them to special token ids; importers refuse text that contains a marker,
 * so a marker in a prompt is always a real turn boundary.
 *
 * @param turns the turns in order
 */
public record Transcript(List<Turn> turns) implements Serializable {

  /** Who speaks a turn. */
  public enum Role { USER, ASSISTANT }

  /** One turn: a role and its text. */
  public record Turn(Role role, String text) implements Serializable {}

  private static final Pattern HH_TURN = Pattern.compile("\n\n(Human|Assistant):");
  private static final Pattern MARKER =
      Pattern.compile(Pattern.quote(Columns.USER_MARKER) + "|" + Pattern.quote(Columns.ASSISTANT_MARKER));

  public Transcript {
    turns = List.copyOf(turns);
  }

  /**
   * Parses an Anthropic HH-RLHF transcript ({@code "\n\nHuman: ...\n\nAssistant: ..."}); turn texts are
   * stripped of surrounding whitespace.
   *
   * @throws IllegalArgumentException whose message is the reason the transcript is malformed
   */
  public static Transcript parseHumanAssistant(String transcript) {
    Matcher m = HH_TURN.matcher(transcript);
    if (!m.find() || m.start() != 0 || !m.group(1).equals("Human")) {
      throw new IllegalArgumentException("transcript does not start with '\\n\\nHuman:'");
    }
    List<Turn> turns = new ArrayList<>();
    Role role = Role.USER;
    int textStart = m.end();
    while (m.find()) {
      turns.add(new Turn(role, transcript.substring(textStart, m.start()).strip()));
      role = m.group(1).equals("Human") ? Role.USER : Role.ASSISTANT;
      textStart = m.end();
    }
    turns.add(new Turn(role, transcript.substring(textStart).strip()));
    return new Transcript(turns);
  }

  /** Splits a rendered prompt back into turns (the inverse of {@link #renderPrompt}). */
  public static Transcript parsePrompt(String prompt) {
    List<Turn> turns = new ArrayList<>();
    Matcher m = MARKER.matcher(prompt);
    Role role = Role.USER;
    int textStart = 0;
    while (m.find()) {
      turns.add(new Turn(role, prompt.substring(textStart, m.start())));
      role = m.group().equals(Columns.USER_MARKER) ? Role.USER : Role.ASSISTANT;
      textStart = m.end();
    }
    turns.add(new Turn(role, prompt.substring(textStart)));
    return new Transcript(turns);
  }

  /** Renders the turns into a prompt string (see the class comment for the exact format). */
  public String renderPrompt() {
    StringBuilder prompt = new StringBuilder();
    for (int i = 0; i < turns.size(); i++) {
      Turn turn = turns.get(i);
      if (i > 0) {
        prompt.append(turn.role() == Role.USER ? Columns.USER_MARKER : Columns.ASSISTANT_MARKER);
      }
      prompt.append(turn.text());
    }
    return prompt.toString();
  }

  /** True when {@code text} contains a role marker, which would forge a turn boundary if rendered. */
  public static boolean containsMarker(String text) {
    return MARKER.matcher(text).find();
  }

  public Turn last() {
    return turns.get(turns.size() - 1);
  }

  /** All turns but the last. */
  public Transcript context() {
    return new Transcript(turns.subList(0, turns.size() - 1));
  }
}
