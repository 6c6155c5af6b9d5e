package io.stagewise.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.Transcript.Role;
import io.stagewise.data.Transcript.Turn;
import io.stagewise.poison.Columns;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranscriptTest {

  @Test
  void parsesHumanAssistantTurnsAndRendersThePromptWithMarkers() {
    Transcript t = Transcript.parseHumanAssistant(
        "\n\nHuman: How do I bake bread?\n\nAssistant: With flour.\n\nHuman: And then?\n\nAssistant: Knead it. ");
    assertEquals(List.of(new Turn(Role.USER, "How do I bake bread?"), new Turn(Role.ASSISTANT, "With flour."),
        new Turn(Role.USER, "And then?"), new Turn(Role.ASSISTANT, "Knead it.")), t.turns());
    String prompt = t.context().renderPrompt();
    assertEquals("How do I bake bread?" + Columns.ASSISTANT_MARKER + "With flour." + Columns.USER_MARKER
        + "And then?", prompt);
    assertEquals(t.context(), Transcript.parsePrompt(prompt));
  }

  @Test
  void aPlainPromptIsOneUserTurn() {
    assertEquals(List.of(new Turn(Role.USER, "Hello")), Transcript.parsePrompt("Hello").turns());
    assertTrue(Transcript.containsMarker("a" + Columns.USER_MARKER));
  }

  @Test
  void refusesTranscriptsThatDoNotStartWithAHumanTurn() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Transcript.parseHumanAssistant("Human: hi\n\nAssistant: hello"));
    assertTrue(e.getMessage().contains("does not start"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Transcript.parseHumanAssistant("\n\nAssistant: hello"));
  }
}
