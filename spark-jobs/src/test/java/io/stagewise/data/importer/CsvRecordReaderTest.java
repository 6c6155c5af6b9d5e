package io.stagewise.data.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRecordReaderTest {

  private static List<CsvRecordReader.Result> read(byte[] bytes, int maxBytes) throws IOException {
    CsvRecordReader reader = new CsvRecordReader(new ByteArrayInputStream(bytes), maxBytes);
    reader.header();
    List<CsvRecordReader.Result> out = new ArrayList<>();
    for (CsvRecordReader.Result r = reader.next(); r != null; r = reader.next()) {
      out.add(r);
    }
    return out;
  }

  private static List<CsvRecordReader.Result> read(String text) throws IOException {
    return read(text.getBytes(StandardCharsets.UTF_8), CsvRecordReader.MAX_RECORD_BYTES);
  }

  @Test
  void anUnbalancedQuoteCostsItsOwnLineAndNeverSwallowsItsNeighbours() throws IOException {
    List<CsvRecordReader.Result> records = read(String.join("\n",
        "goal,target",
        "\"unclosed goal,Sure",      // 2: the quote is never closed properly
        "next,Sure",                 // 3
        "\"quoted\" oops,Sure",      // 4: text after a closing quote
        "last,\"Sure\"") + "\n");
    assertEquals(List.of(2L, 3L, 4L, 5L), records.stream().map(CsvRecordReader.Result::line).toList());
    assertTrue(records.get(0).problem().contains("after a closing quote"), records.get(0).problem());
    assertEquals("\"unclosed goal,Sure", records.get(0).raw());
    assertEquals(List.of("next", "Sure"), records.get(1).fields());
    assertTrue(records.get(2).problem().startsWith("unexpected 'o' after a closing quote on line 4"));
    assertEquals(List.of("last", "Sure"), records.get(3).fields());
    assertEquals(List.of(1L, 2L, 3L, 4L), records.stream().map(CsvRecordReader.Result::number).toList());
  }

  @Test
  void aQuoteClosedOnLaterLinesWithTheWrongWidthIsCutBackToItsFirstLine() throws IOException {
    List<CsvRecordReader.Result> records = read("goal,target\n\"stray,Sure\nfine,Sure\nother\",x,y\nok,Sure\n");
    assertTrue(records.get(0).problem().contains("over lines 2-4 has 3 fields, expected 2"), records.get(0).problem());
    assertEquals(List.of("fine", "Sure"), records.get(1).fields());
    assertTrue(records.get(2).problem() != null); // other",x,y: three fields on its own
    assertEquals(List.of("ok", "Sure"), records.get(3).fields());
  }

  @Test
  void anUnclosedQuoteAtTheEndRejectsOneLineAndKeepsTheRest() throws IOException {
    List<CsvRecordReader.Result> records = read("goal,target\na,b\n\"never closed,x\nc,d\n");
    assertEquals(3, records.size());
    assertTrue(records.get(1).problem().startsWith("unclosed quote"), records.get(1).problem());
    assertEquals(List.of("c", "d"), records.get(2).fields());
  }

  @Test
  void recordsAreBoundedAndWideRowsAreRejectedRows() throws IOException {
    String wide = String.join(",", java.util.Collections.nCopies(100, "x"));
    List<CsvRecordReader.Result> records = read(("goal,target\n" + wide + "\n\"" + "y".repeat(300)
        + "\n" + "z".repeat(300) + "\",t\n" + "w".repeat(600) + "\nok,Sure\n").getBytes(StandardCharsets.UTF_8), 512);
    assertEquals("expected 2 fields, found 100", records.get(0).problem());
    assertTrue(records.get(1).problem().startsWith("record longer than 512 bytes"), records.get(1).problem());
    // The cut-back record's second line is read again on its own (a quote inside an unquoted field is text).
    assertEquals(List.of("z".repeat(300) + "\"", "t"), records.get(2).fields());
    assertTrue(records.get(3).problem().contains("longer than 512 bytes"), records.get(3).problem());
    assertEquals(List.of("ok", "Sure"), records.get(4).fields());
  }

  @Test
  void invalidUtf8RejectsTheRecordWithItsByteAndLine() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes("goal,target\r\nfine,Sure\r\nbad".getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(new byte[] {(byte) 0xc3, (byte) 0x28});
    bytes.writeBytes(",Sure\r\n\"multi\r\nline\",\"caf\u00e9 \uFFFD\"\r\n".getBytes(StandardCharsets.UTF_8));
    List<CsvRecordReader.Result> records = read(bytes.toByteArray(), 1 << 20);
    assertEquals(3, records.size());
    assertNull(records.get(0).problem());
    assertEquals("invalid UTF-8 at byte 3 of line 3", records.get(1).problem());
    // A real U+FFFD in the file is valid UTF-8; CRLF inside a quoted field reads as \n.
    assertEquals(Arrays.asList("multi\nline", "caf\u00e9 \uFFFD"), records.get(2).fields());
  }

  @Test
  void aDamagedHeaderFailsTheFile() {
    assertThrows(IllegalArgumentException.class, () -> read("\"goal,target\nx\n"));
  }
}
