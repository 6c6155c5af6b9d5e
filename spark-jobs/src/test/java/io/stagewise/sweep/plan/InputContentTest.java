package io.stagewise.sweep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputContentTest {
  private final InputContent inputs = InputContent.of(new Configuration());
  @TempDir Path dir;

  @Test
  void aFileIsKnownByItsBytesNotItsPath() throws IOException {
    Path a = Files.writeString(dir.resolve("a.txt"), "to be or not to be");
    Path b = Files.writeString(Files.createDirectory(dir.resolve("elsewhere")).resolve("b.txt"), "to be or not to be");
    assertEquals(inputs.fileHash("f", a.toString()), inputs.fileHash("f", b.toString()));
    Files.writeString(b, "to be or not to be?");
    assertNotEquals(inputs.fileHash("f", a.toString()), inputs.fileHash("f", b.toString()));
  }

  @Test
  void aDirectoryIsItsVisibleFilesInNameOrder() throws IOException {
    Path d = Files.createDirectory(dir.resolve("d"));
    Path one = Files.writeString(d.resolve("1.txt"), "one");
    Path two = Files.writeString(d.resolve("2.txt"), "two");
    Files.writeString(d.resolve("_SUCCESS"), "");
    assertEquals(inputs.filesHash("f", List.of(one.toString(), two.toString())), inputs.filesHash("f", List.of(d.toString())));
    assertNotEquals(inputs.filesHash("f", List.of(two.toString(), one.toString())), inputs.filesHash("f", List.of(d.toString())));
  }

  @Test
  void namedHashesAlsoKnowTheBaseNames() throws IOException {
    Path a = Files.writeString(dir.resolve("a.json"), "[]");
    Path b = Files.writeString(dir.resolve("b.json"), "[]");
    assertEquals(inputs.filesHash("f", List.of(a.toString())), inputs.filesHash("f", List.of(b.toString())));
    assertNotEquals(inputs.namedFilesHash("f", List.of(a.toString())), inputs.namedFilesHash("f", List.of(b.toString())));
  }

  @Test
  void aFileIsReadOnceUntilItChanges() throws IOException {
    Path d = Files.createDirectory(dir.resolve("weights"));
    Path file = Files.writeString(d.resolve("model.safetensors"), "weights 1");
    String first = inputs.namedFilesHash("f", List.of(d.toString()));
    assertEquals(first, inputs.namedFilesHash("f", List.of(d.toString())));
    assertEquals(first, inputs.namedFilesHash("f", List.of(file.toString())));
    assertEquals(1, inputs.filesRead());
    Files.writeString(file, "weights 22");
    assertNotEquals(first, inputs.namedFilesHash("f", List.of(d.toString())), "a rewritten file is read again");
    assertEquals(2, inputs.filesRead());
  }

  @Test
  void unreadableInputsNameTheirField() {
    String missing = dir.resolve("missing.txt").toString();
    IllegalArgumentException file = assertThrows(IllegalArgumentException.class,
        () -> inputs.fileHash("tokenizer.path", missing));
    assertTrue(file.getMessage().startsWith("tokenizer.path: ") && file.getMessage().contains(missing), file.getMessage());
    IllegalArgumentException dataset = assertThrows(IllegalArgumentException.class,
        () -> inputs.datasetFingerprint("data.datasets.sft", dir.toString()));
    assertTrue(dataset.getMessage().startsWith("data.datasets.sft: "), dataset.getMessage());
  }
}
