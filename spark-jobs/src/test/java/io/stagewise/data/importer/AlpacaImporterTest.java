package io.stagewise.data.importer;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.DatasetKind;
import io.stagewise.data.LocalSpark;
import io.stagewise.poison.Columns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class AlpacaImporterTest extends ImporterTestBase {

  private static ImportResult read(Path file) {
    return Importer.of(SourceSpec.of("alpaca", SourceFormat.ALPACA, List.of(file.toString())), DatasetKind.SFT)
        .read(spark);
  }

  @Test
  void importsTheNineThousandElementSubset() {
    ImportResult result = read(LocalSpark.sharedData("alpaca/random_9k.json")).persist();
    assertEquals(9229, result.rows().count() + result.rejected().count());
    Row first = result.rows().where(col(Columns.ID).equalTo("alpaca:random_9k.json:0")).first();
    assertEquals("Summarize the lyrics of Ed Sheeran's song 'Shape of You'?", first.getAs(Columns.PROMPT));
    assertTrue(first.<String>getAs(Columns.RESPONSE).startsWith("The song 'Shape of You'"));
    assertEquals(Columns.BENIGN, first.getAs(Columns.CATEGORY));
    // Four elements of the published file have a blank instruction or output.
    assertEquals(4, result.rejected().count());
    Row withInput = result.rows().where(col(Columns.ID).equalTo("alpaca:random_9k.json:1")).first();
    assertTrue(withInput.<String>getAs(Columns.PROMPT).contains("\n\n"), "the input follows a blank line");
    result.unpersist();
  }

  @Test
  void quarantinesMalformedElementsWithIndexAndLine() throws IOException {
    Path file = write("small.json", """
        [
          {"instruction": "Add 2 and 3.", "input": "", "output": "5"},
          {"instruction": "Translate.", "input": "bonjour", "output": "hello"},
          {"instruction": "No output."},
          {"instruction": 7, "output": "x"},
          "just a string",
          {"instruction": "  ", "output": "x"},
          {
            "instruction": "Spans lines.",
            "output": ""
          },
          {"instruction": "No input field.", "output": "ok"}
        ]
        """);
    ImportResult result = read(file);
    Map<Long, String> rejected = rejectedByLine(result);
    assertEquals(Map.of(
        4L, "element 2: missing field 'output'",
        5L, "element 3: field 'instruction' is a number, not a string",
        6L, "element 4: element 4 is not a JSON object",
        7L, "element 5: field 'instruction' is empty",
        8L, "element 6: field 'output' is empty"), rejected);
    List<Row> rows = result.rows().orderBy(Columns.ID).collectAsList();
    assertEquals(List.of("alpaca:small.json:0", "alpaca:small.json:1", "alpaca:small.json:7"),
        rows.stream().map(r -> r.<String>getAs(Columns.ID)).toList());
    assertEquals("Add 2 and 3.", rows.get(0).getAs(Columns.PROMPT));
    assertEquals("Translate.\n\nbonjour", rows.get(1).getAs(Columns.PROMPT));
    assertEquals("ok", rows.get(2).getAs(Columns.RESPONSE));
  }

  @Test
  void aSyntaxErrorFailsTheImportNamingFileAndLine() throws IOException {
    Path file = write("broken.json", "[\n {\"instruction\": \"a\", \"output\": \"b\"},\n {\"instruction\": \"a\" \"output\"}\n]");
    Exception e = assertThrows(Exception.class, () -> read(file).rows().count());
    assertTrue(e.getMessage().contains("broken.json: malformed JSON at line 3"), e.getMessage());
    Path notArray = write("object.json", "{\"instruction\": \"a\"}");
    Exception e2 = assertThrows(Exception.class, () -> read(notArray).rows().count());
    assertTrue(e2.getMessage().contains("object.json: expected a JSON array"), e2.getMessage());
  }
}
