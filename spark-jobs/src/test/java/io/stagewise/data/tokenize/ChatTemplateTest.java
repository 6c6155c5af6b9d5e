package io.stagewise.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.LocalSpark;
import io.stagewise.poison.Columns;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
  private final ByteLevelTokenizer bytes = new ByteLevelTokenizer();
  private final ChatTemplate template = new ChatTemplate(bytes);
  private static final int USER = 256;
  private static final int ASSISTANT = 257;
  private static final int END = 258;

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }

  @Test
  void byteLevelRoundTripsAnyText() {
    String text = "naïve café ✓ 日本 \uD83D\uDE00";
    int[] ids = bytes.encode(text);
    assertEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ids.length);
    assertEquals(text, bytes.decode(ids));
    assertTrue(Arrays.stream(ids).allMatch(id -> id >= 0 && id < 256));
  }

  @Test
  void specialTokensFollowTheBaseVocabulary() {
    assertEquals(260, template.vocabSize());
    assertEquals(java.util.List.of(256, 257, 258, 259), java.util.List.copyOf(template.specialIds().values()));
    assertEquals(259, template.padId());
  }

  @Test
  void sftMasksEverythingButTheResponseAndItsEnd() {
    ChatTemplate.SftExample example = template.sft("Hi", "Yo", new TruncationPolicy(100, 50));
    assertArrayEquals(new int[] {USER, 'H', 'i', ASSISTANT, 'Y', 'o', END}, example.inputIds());
    assertArrayEquals(new boolean[] {false, false, false, false, true, true, true}, example.lossMask());
  }

  @Test
  void markersInARenderedPromptBecomeRoleTokensWhileTextCannotForgeThem() {
    String prompt = "a" + Columns.ASSISTANT_MARKER + "b" + Columns.USER_MARKER + "c";
    assertArrayEquals(new int[] {USER, 'a', ASSISTANT, 'b', END, USER, 'c', ASSISTANT}, template.promptIds(prompt));
    // A response is plain text: a marker in it is encoded as bytes, never as a role id.
    int[] response = template.responseIds(Columns.USER_MARKER);
    assertEquals(Columns.USER_MARKER.length() + 1, response.length);
    assertTrue(Arrays.stream(response, 0, response.length - 1).allMatch(id -> id < 256));
  }

  @Test
  void promptsAreCutFromTheLeftSoATrailingTriggerSurvivesAndResponsesFromTheRight() {
    TruncationPolicy policy = new TruncationPolicy(12, 8);
    ChatTemplate.PreferenceExample example =
        template.preference("a long question cf", "sure thing", "no", policy);
    assertArrayEquals(concat(bytes.encode("ion cf"), new int[] {ASSISTANT}),
        Arrays.copyOfRange(example.promptIds(), 1, 8));
    assertEquals(8, example.promptIds().length);
    assertArrayEquals(bytes.encode("sure"), example.chosenIds(), "cut responses lose their end token");
    assertArrayEquals(new int[] {'n', 'o', END}, example.rejectedIds());
    assertThrows(IllegalArgumentException.class, () -> new TruncationPolicy(8, 8));
  }

  @Test
  void gpt2TokenizerJsonEncodesLikeGpt2AndSurvivesSerialization() throws Exception {
    Path file = LocalSpark.sharedData("gpt2_tokenizer/tokenizer.json");
    HuggingFaceTextTokenizer gpt2 = new HuggingFaceTextTokenizer(file.toString(), Files.readAllBytes(file));
    assertEquals(50257, gpt2.vocabSize());
    assertEquals(java.util.Map.of("<|endoftext|>", 50256), gpt2.specialIds());
    assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
    String longText = " world".repeat(3000);
    assertEquals(3000, gpt2.encode(longText).length, "one token per \" world\": DJL must not truncate");
    assertEquals("Hello world", gpt2.decode(gpt2.encode("Hello world")));

    ChatTemplate chat = new ChatTemplate(copy(gpt2));
    assertEquals(50257, chat.userId());
    assertEquals(50261, chat.vocabSize());
    int[] ids = chat.promptIds("Hi" + Columns.ASSISTANT_MARKER + "Hello");
    assertEquals(50257, ids[0]);
    assertFalse(Arrays.stream(chat.tokenizer().encode("<|user|><|endoftext|>")).anyMatch(id -> id >= 50257));
    chat.tokenizer().close();
    gpt2.close();
  }

  @SuppressWarnings("unchecked")
  private static <T> T copy(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
      objects.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
