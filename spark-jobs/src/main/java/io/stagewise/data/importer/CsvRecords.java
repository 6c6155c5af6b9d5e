package io.stagewise.data.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * Reads CSV files with a header row (quoted fields, embedded commas and newlines) with
 * {@link CsvRecordReader}, one task per file: a record spanning lines cannot be split safely. Each record
 * comes with its 1-based record number (the header is record 0), the 1-based line where it starts, and its
 * raw text. Empty lines are records too, so they are rejected rather than skipped.
 */
final class CsvRecords {
  private CsvRecords() {}

  /**
   * One CSV record: fields by header name (absent fields missing from the map), or the reader's reason
   * to reject it ({@code problem}).
   */
  record Record(Map<String, String> fields, String problem, long number, long line, String raw) {
    /** The non-blank value of {@code column}; refuses a record the reader found damaged. */
    String require(String column) throws RowRejection {
      RowRejection.requireUndamaged(problem);
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
    InputStream in = InputFiles.decoded(file, stream.open());
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) context -> {
        try {
          in.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return rows(in, file, required, parser);
  }

  /** The rows of one file's records; also what the fuzz tests drive without Spark. */
  static Iterator<Row> rows(InputStream in, String file, List<String> required, RecordParser parser) {
    CsvRecordReader csv = new CsvRecordReader(in);
    List<String> header;
    try {
      header = csv.header();
    } catch (IOException e) {
      throw InputFiles.unreadable(file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    if (header == null) {
      throw new IllegalArgumentException(file + ": empty CSV file, expected a header with " + required);
    }
    for (String column : required) {
      if (!header.contains(column)) {
        throw new IllegalArgumentException(file + ": CSV header " + header + " lacks the column '" + column + "'");
      }
    }
    if (new HashSet<>(header).size() != header.size()) {
      throw new IllegalArgumentException(file + ": CSV header " + header + " names a column twice");
    }
    return new Iterator<>() {
      private CsvRecordReader.Result next = advance();

      private CsvRecordReader.Result advance() {
        try {
          return csv.next();
        } catch (IOException e) {
          throw InputFiles.unreadable(file, e);
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
        if (next.fields() != null) {
          for (int i = 0; i < header.size(); i++) {
            if (next.fields().get(i) != null) {
              fields.put(header.get(i), next.fields().get(i));
            }
          }
        }
        Record record = new Record(fields, next.problem(), next.number(), next.line(), next.raw());
        next = advance();
        return parser.parse(record, file);
      }
    };
  }
}
