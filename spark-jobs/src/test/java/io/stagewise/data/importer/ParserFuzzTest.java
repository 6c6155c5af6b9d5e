package io.stagewise.data.importer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.spec.YamlSpecs;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Coverage-guided fuzz targets, one per parser, run without Spark: whatever the bytes, a parser either
 * returns rows that are each accepted or rejected with a line and a reason, or fails the file with a user
 * error naming it; never another exception, never U+FFFD in an accepted row unless the input holds one.
 * {@code mvn verify} fuzzes each for a few seconds (JAZZER_FUZZ, see the spark-jobs POM); {@code mvn test}
 * replays the inputs under {@code ParserFuzzTestInputs/} (seeds and every crash found) as regression tests.
 */
class ParserFuzzTest {
  private static final SourceSpec HH = SourceSpec.of("hh", SourceFormat.HH_RLHF, List.of("f.jsonl"));
  private static final SourceSpec ALPACA = SourceSpec.of("al", SourceFormat.ALPACA, List.of("f.json"));
  private static final SourceSpec ADVBENCH = SourceSpec.of("adv", SourceFormat.ADVBENCH, List.of("f.csv"));
  private static final byte[] REPLACEMENT = "\uFFFD".getBytes(StandardCharsets.UTF_8);

  @FuzzTest(maxDuration = "5s")
  void jsonLine(byte[] line) {
    StrictUtf8.Decoded text = StrictUtf8.decode(line, 0, line.length);
    Row row = HhRlhfImporter.parseLine(HH, JsonLines.strictMapper(), "f.jsonl", 1, text.text(),
        text.valid() ? null : text.problem());
    check(row, DatasetKind.PREFERENCE, line);
  }

  @FuzzTest(maxDuration = "5s")
  void jsonArray(byte[] file) {
    try {
      Iterator<Row> rows = new JsonArrays.ElementIterator(JsonLines.strictMapper(),
          new StrictUtf8.TrackingReader(new ByteArrayInputStream(file)), "f.json",
          (element, f, index, line, damage) -> AlpacaImporter.parseElement(ALPACA, element, f, index, line, damage));
      while (rows.hasNext()) {
        check(rows.next(), DatasetKind.SFT, file);
      }
    } catch (IllegalArgumentException | UncheckedIOException e) {
      assertTrue(e.getMessage().startsWith("f.json: ") || e.getMessage().startsWith("cannot read f.json: "),
          e.getMessage());
    } catch (java.io.IOException e) {
      throw new AssertionError("an I/O error from a byte array", e);
    }
  }

  @FuzzTest(maxDuration = "5s")
  void csv(byte[] file) {
    try {
      Iterator<Row> rows = CsvRecords.rows(new ByteArrayInputStream(file), "f.csv", List.of("goal", "target"),
          (record, f) -> AdvBenchImporter.parseRecord(ADVBENCH, record, f));
      long lines = 1;
      for (byte b : file) {
        lines += b == '\n' || b == '\r' ? 1 : 0;
      }
      long records = 0;
      while (rows.hasNext()) {
        check(rows.next(), DatasetKind.PROMPTS, file);
        records++;
      }
      assertTrue(records < lines, records + " records from " + lines + " lines");
    } catch (IllegalArgumentException | UncheckedIOException e) {
      assertTrue(e.getMessage().startsWith("f.csv: ") || e.getMessage().startsWith("cannot read f.csv: "),
          e.getMessage());
    }
  }

  @FuzzTest(maxDuration = "5s")
  void importSpec(FuzzedDataProvider data) {
    String yaml = data.consumeRemainingAsString();
    try {
      ImportSpec.parse(YamlSpecs.parse(yaml), "s.yaml");
    } catch (IllegalArgumentException e) {
      assertNotNull(e.getMessage());
    }
  }

  /** A parsed row is accepted (no reject columns) or rejected (line and reason); accepted text is clean. */
  private static void check(Row row, DatasetKind kind, byte[] input) {
    int width = kind.textSchema().size();
    String reason = row.getString(width + 3);
    if (reason == null) {
      assertNotNull(row.getString(0), "an accepted row has an id");
      if (!contains(input, REPLACEMENT)) {
        for (int i = 0; i < width; i++) {
          Object value = row.get(i);
          assertFalse(value instanceof String s && s.indexOf('\uFFFD') >= 0, "U+FFFD imported: " + value);
        }
      }
    } else {
      assertFalse(reason.isBlank());
      assertTrue(row.getLong(width + 2) >= 0, "a rejected row has its line");
      assertNotNull(row.getString(width + 1), "a rejected row has its file");
    }
  }

  private static boolean contains(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
