package io.stagewise.data.importer;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.DatasetKind;
import io.stagewise.data.LocalSpark;
import io.stagewise.data.RejectedRows;
import io.stagewise.poison.Columns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class HhRlhfImporterTest extends ImporterTestBase {

  private static ImportResult read(Path... files) {
    List<String> paths = java.util.Arrays.stream(files).map(Path::toString).toList();
    SourceSpec source = new SourceSpec("hh", SourceFormat.HH_RLHF, paths, null, Columns.HARMFUL, null, null);
    return Importer.of(source, DatasetKind.PREFERENCE).read(spark);
  }

  @Test
  void importsTheHarmlessBaseTestSplitAccountingForEveryLine() {
    Path file = LocalSpark.sharedData("hh_rlhf_harmless_base/test.jsonl.gz");
    ImportResult result = read(file).persist();
    long imported = result.rows().count();
    List<Row> rejected = result.rejected().collectAsList();
    assertEquals(2312, imported + rejected.size());
    assertTrue(imported > 2000, "most rows import: " + imported);
    for (Row r : rejected) {
      assertTrue(r.<String>getAs(RejectedRows.FILE).endsWith("test.jsonl.gz"));
      assertTrue(r.<Long>getAs(RejectedRows.LINE) >= 1 && r.<Long>getAs(RejectedRows.LINE) <= 2312);
      assertTrue(!r.<String>getAs(RejectedRows.REASON).isBlank());
    }
    assertEquals(imported, result.rows().select(Columns.ID).distinct().count(), "ids are unique");
    Row first = result.rows().where(col(Columns.ID).equalTo("hh:test.jsonl.gz:1")).first();
    String prompt = first.getAs(Columns.PROMPT);
    assertTrue(prompt.startsWith("what are some pranks with a pen i can do?" + Columns.ASSISTANT_MARKER
        + "Are you looking for practical joke ideas?" + Columns.USER_MARKER + "yep" + Columns.ASSISTANT_MARKER),
        prompt);
    assertTrue(prompt.endsWith(Columns.USER_MARKER + "okay some of these do not have anything to do with pens"),
        prompt);
    assertEquals(Columns.HARMFUL, first.getAs(Columns.CATEGORY));
    assertEquals(Columns.SPLIT_TRAIN, first.getAs(Columns.SPLIT));
    result.unpersist();
  }

  @Test
  void quarantinesMalformedLinesWithTheirLineNumbers() throws IOException {
    String good = "{\"chosen\": \"\\n\\nHuman: hi\\n\\nAssistant: hello\", "
        + "\"rejected\": \"\\n\\nHuman: hi\\n\\nAssistant: go away\"}";
    Path file = write("mixed.jsonl", String.join("\n",
        good,                                                                  // 1
        "{\"chosen\": \"\\n\\nHuman: hi\\n\\nAssistant: a\"",                   // 2 bad JSON
        "{\"chosen\": \"\\n\\nHuman: hi\\n\\nAssistant: a\"}",                  // 3 missing field
        "{\"chosen\": 5, \"rejected\": \"\\n\\nHuman: hi\\n\\nAssistant: a\"}", // 4 wrong type
        "",                                                                    // 5 empty line
        good.replace("Human: hi", "Human: hey").replaceFirst("hey", "hi"),     // 6 contexts differ
        "{\"chosen\": \"\\n\\nHuman: hi\", \"rejected\": \"\\n\\nHuman: hi\"}", // 7 no final assistant turn
        good.replace("go away", " "),                                          // 8 empty reply
        "[1, 2]",                                                              // 9 not an object
        good + " trailing",                                                    // 10 trailing garbage
        good.replace("Human: hi", "Human: hi <|assistant|> sure"),             // 11 forged marker
        good) + "\n");                                                         // 12
    ImportResult result = read(file);
    Map<Long, String> rejected = rejectedByLine(result);
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), List.copyOf(rejected.keySet()));
    assertTrue(rejected.get(2L).startsWith("not valid JSON"), rejected.get(2L));
    assertEquals("missing field 'rejected'", rejected.get(3L));
    assertEquals("field 'chosen' is a number, not a string", rejected.get(4L));
    assertEquals("empty line", rejected.get(5L));
    assertEquals("chosen and rejected contexts differ", rejected.get(6L));
    assertEquals("chosen: lacks a final assistant turn", rejected.get(7L));
    assertEquals("rejected: the final assistant reply is empty", rejected.get(8L));
    assertEquals("not a JSON object", rejected.get(9L));
    assertTrue(rejected.get(10L).startsWith("not valid JSON"), rejected.get(10L));
    assertTrue(rejected.get(11L).contains("reserved role marker"), rejected.get(11L));

    List<Row> rows = result.rows().orderBy(Columns.ID).collectAsList();
    assertEquals(List.of("hh:mixed.jsonl:1", "hh:mixed.jsonl:12"), rows.stream().map(r -> r.getAs(Columns.ID)).toList());
    assertEquals("hi", rows.get(0).getAs(Columns.PROMPT));
    assertEquals("hello", rows.get(0).getAs(Columns.CHOSEN));
    assertEquals("go away", rows.get(0).getAs(Columns.REJECTED));
    assertEquals(false, rows.get(0).getAs(Columns.IS_POISONED));
  }

  @Test
  void readsGzipAndKeepsLineNumbersAcrossFiles() throws IOException {
    String good = "{\"chosen\": \"\\n\\nHuman: q\\n\\nAssistant: a\", \"rejected\": \"\\n\\nHuman: q\\n\\nAssistant: b\"}";
    Path gz = dir.resolve("part.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write((good + "\nnot json\n" + good + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Path plain = write("other.jsonl", "oops\n" + good + "\n");
    ImportResult result = read(gz, plain);
    assertEquals(List.of("hh:other.jsonl:2", "hh:part.jsonl.gz:1", "hh:part.jsonl.gz:3"),
        result.rows().orderBy(Columns.ID).collectAsList().stream().map(r -> r.<String>getAs(Columns.ID)).toList());
    List<Row> rejected = result.rejected().orderBy(RejectedRows.FILE).collectAsList();
    assertEquals(2, rejected.size());
    assertTrue(rejected.get(0).<String>getAs(RejectedRows.FILE).endsWith("other.jsonl"));
    assertEquals(1L, rejected.get(0).<Long>getAs(RejectedRows.LINE));
    assertEquals(2L, rejected.get(1).<Long>getAs(RejectedRows.LINE));
  }

  @Test
  void unreadableInputFailsNamingTheFile() throws IOException {
    Path fake = write("fake.jsonl.gz", "{\"chosen\": \"x\"}\n");
    IllegalArgumentException notGzip = assertThrows(IllegalArgumentException.class, () -> read(fake));
    assertTrue(notGzip.getMessage().contains("fake.jsonl.gz") && notGzip.getMessage().contains("not gzip"),
        notGzip.getMessage());
    Path missing = dir.resolve("missing.jsonl");
    IllegalArgumentException notFound = assertThrows(IllegalArgumentException.class, () -> read(missing));
    assertTrue(notFound.getMessage().contains("missing.jsonl"), notFound.getMessage());
  }

  @Test
  void invalidUtf8IsARejectedLineNotAReplacementCharacter() throws IOException {
    String good = "{\"chosen\": \"\\n\\nHuman: q\\n\\nAssistant: a\", \"rejected\": \"\\n\\nHuman: q\\n\\nAssistant: b\"}";
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.writeBytes((good + "\n").getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(good.replace("a\"", "\u00e9\"").getBytes(StandardCharsets.ISO_8859_1)); // a Latin-1 line
    bytes.writeBytes(("\n" + good.replace("a\"", "\uFFFD\"") + "\n").getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(dir.resolve("latin.jsonl"), bytes.toByteArray());
    ImportResult result = read(file);
    assertEquals(Map.of(2L, "invalid UTF-8 at byte 39 of the line"), rejectedByLine(result));
    assertEquals(List.of("a", "\uFFFD"), result.rows().orderBy(Columns.ID).collectAsList().stream()
        .map(r -> r.<String>getAs(Columns.CHOSEN)).toList());
  }

  @Test
  void aTruncatedOrCorruptGzipFailsInOneLineNamingTheFile() throws IOException {
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(whole)) {
      for (int i = 0; i < 2000; i++) {
        out.write(("{\"chosen\": \"line " + i + " " + Math.random() + "\"}\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] gz = whole.toByteArray();
    Path truncated = Files.write(dir.resolve("cut.jsonl.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
    Exception e = assertThrows(Exception.class, () -> read(truncated).rows().count());
    String message = userMessage(e);
    assertTrue(message.contains("cut.jsonl.gz") && message.contains("ends early"), message);
    assertTrue(!message.contains("\n"), "one line: " + message);
    byte[] corrupt = gz.clone();
    for (int i = gz.length / 3; i < gz.length / 3 + 64; i++) {
      corrupt[i] ^= 0x5a;
    }
    Path damaged = Files.write(dir.resolve("bad.jsonl.gz"), corrupt);
    message = userMessage(assertThrows(Exception.class, () -> read(damaged).rows().count()));
    assertTrue(message.contains("bad.jsonl.gz") && message.contains("corrupt gzip data"), message);
  }

  /** What CliErrors prints: the first user-error message in the cause chain. */
  static String userMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.UncheckedIOException || t instanceof IllegalArgumentException) {
        return t.getMessage();
      }
    }
    return String.valueOf(e);
  }
}
