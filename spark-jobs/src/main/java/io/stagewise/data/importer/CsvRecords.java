package io.stagewise.data.importer;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Reads RFC 4180 CSV files with a header row (quoted fields, embedded commas and newlines) using
 * univocity, the parser behind Spark's own CSV source, one task per file: a record spanning lines cannot be
 * split safely. Each record comes with its 1-based record number (the header is record 0), the 1-based line
 * where it starts, and its raw text. Empty lines are records too, so they are rejected rather than skipped.
 */
final class CsvRecords {
  private CsvRecords() {}

  /** One CSV record: fields by header name (absent fields missing from the map). */
  record Record(Map<String, String> fields, int fieldCount, int headerSize, long number, long line, String raw) {
    /** The non-blank value of {@code column}. */
    String require(String column) throws RowRejection {
      if (fieldCount != headerSize) {
        throw new RowRejection("expected " + headerSize + " fields, found " + fieldCount);
      }
      String value = fields.get(column);
      RowRejection.requireNotBlank(value, column);
      return value;
    }
  }

  /** Turns one record into a parsed row (accepted or rejected); must not throw for bad content. */
  @FunctionalInterface
  interface RecordParser extends Serializable {
    Row parse(Record record, String file);
  }

  /** Reads {@code files}; each must have every column of {@code required} in its header. */
  static JavaRDD<Row> read(SparkSession spark, List<String> files, List<String> required, RecordParser parser) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<JavaRDD<Row>> perFile = new ArrayList<>();
    for (String file : files) {
      perFile.add(jsc.binaryFiles(file).values().flatMap(stream -> records(stream, file, required, parser)));
    }
    return InputFiles.union(jsc, perFile);
  }

  private static Iterator<Row> records(PortableDataStream stream, String file, List<String> required,
      RecordParser parser) throws IOException {
    Reader reader = new InputStreamReader(InputFiles.decoded(file, stream.open()), StandardCharsets.UTF_8);
    CsvParser csv = new CsvParser(settings());
    csv.beginParsing(reader);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> csv.stopParsing());
    }
    String[] header = csv.parseNext();
    if (header == null) {
      throw new IllegalArgumentException(file + ": empty CSV file, expected a header with " + required);
    }
    List<String> columns = Arrays.asList(header);
    for (String column : required) {
      if (!columns.contains(column)) {
        throw new IllegalArgumentException(file + ": CSV header " + columns + " lacks the column '" + column + "'");
      }
    }
    return new Iterator<>() {
      private String[] next = advance();
      private long startLine;
      private long number;

      private String[] advance() {
        startLine = csv.getContext().currentLine() + 1;
        try {
          return csv.parseNext();
        } catch (RuntimeException e) {
          throw new UncheckedIOException(new IOException("cannot read " + file + " near line " + startLine, e));
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Row next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < Math.min(next.length, header.length); i++) {
          if (next[i] != null) {
            fields.put(header[i], next[i]);
          }
        }
        String raw = csv.getContext().currentParsedContent();
        raw = raw == null ? null : raw.stripTrailing();
        Record record = new Record(fields, next.length, header.length, ++number, startLine, raw);
        next = advance();
        return parser.parse(record, file);
      }
    };
  }

  private static CsvParserSettings settings() {
    CsvParserSettings settings = new CsvParserSettings();
    settings.setMaxCharsPerColumn(-1);
    settings.setLineSeparatorDetectionEnabled(true);
    settings.setHeaderExtractionEnabled(false);
    settings.setSkipEmptyLines(false);
    settings.setNullValue(null);
    settings.setEmptyValue("");
    return settings;
  }
}
