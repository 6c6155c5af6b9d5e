package io.stagewise.data.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** The element reader without Spark: what it rejects, what it refuses to read past. */
class JsonArraysTest {

  static List<Row> elements(byte[] bytes) throws IOException {
    JsonArrays.ElementIterator it = new JsonArrays.ElementIterator(new ObjectMapper(),
        new StrictUtf8.TrackingReader(new ByteArrayInputStream(bytes)), "f.json",
        (element, file, index, line, damage) -> RowFactory.create(index, line, damage));
    List<Row> out = new ArrayList<>();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  static List<Row> elements(String text) throws IOException {
    return elements(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void contentAfterTheArrayFailsNamingTheFile() throws IOException {
    assertEquals(2, elements("[{\"a\": 1},\n {\"a\": 2}]\n  \n").size());
    for (String tail : List.of("[{\"b\": 3}]", "garbage", "{}", "]")) {
      Exception e = assertThrows(IllegalArgumentException.class, () -> elements("[{\"a\": 1}]\n" + tail));
      assertTrue(e.getMessage().startsWith("f.json: "), e.getMessage());
    }
    Exception e = assertThrows(IllegalArgumentException.class, () -> elements("[{\"a\": 1}]\n[{\"b\": 3}]"));
    assertTrue(e.getMessage().contains("after the end of the JSON array (closed at line 1), at line 2"), e.getMessage());
  }

  @Test
  void anElementWithInvalidUtf8IsRejectedAndItsNeighboursRead() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes("[{\"a\": \"fine \uFFFD\"},\n{\"a\": \"bad ".getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe});
    bytes.writeBytes("\"},\n{\"a\": \"caf\u00e9\"}]".getBytes(StandardCharsets.UTF_8));
    List<Row> rows = elements(bytes.toByteArray());
    assertEquals(3, rows.size());
    assertEquals(null, rows.get(0).get(2));
    assertEquals("invalid UTF-8 at byte 31 of the file", rows.get(1).get(2));
    assertEquals(2L, rows.get(1).get(1));
    assertEquals(null, rows.get(2).get(2));
  }

  @Test
  void aTruncatedArrayFails() {
    Exception e = assertThrows(RuntimeException.class, () -> elements("[{\"a\": 1}, {\"a\""));
    assertTrue(e.getMessage().contains("f.json"), e.getMessage());
  }
}
