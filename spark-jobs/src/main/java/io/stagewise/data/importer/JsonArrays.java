package io.stagewise.data.importer;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Reads files holding one JSON array each, element by element with Jackson's streaming parser (one task
 * per file, constant memory), reporting each element's 0-based index and the 1-based line where it starts.
 *
 * <p>An element that is valid JSON but the wrong shape is the parser's to reject, and so is an element
 * holding invalid UTF-8 (the parser gets it with {@code damage} set). A syntax error is not recoverable
 * inside an array (the rest of the file has no defined elements), so it fails the import with the file,
 * line and column; so does anything after the array's end (a second array, garbage), which would
 * otherwise be dropped unseen.
 */
final class JsonArrays {
  private JsonArrays() {}

  /**
   * Turns one array element into a parsed row (accepted or rejected); must not throw for bad content.
   * {@code damage}, when not null, is why the element must be rejected whatever its shape.
   */
  @FunctionalInterface
  interface ElementParser extends Serializable {
    Row parse(JsonNode element, String file, long index, long line, String damage);
  }

  static JavaRDD<Row> read(SparkSession spark, List<String> files, ElementParser parser) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<JavaRDD<Row>> perFile = new ArrayList<>();
    for (String file : files) {
      perFile.add(jsc.binaryFiles(file).values().flatMap(stream -> elements(stream, file, parser)));
    }
    return InputFiles.union(jsc, perFile);
  }

  private static Iterator<Row> elements(PortableDataStream stream, String file, ElementParser parser)
      throws IOException {
    StrictUtf8.TrackingReader in = new StrictUtf8.TrackingReader(InputFiles.decoded(file, stream.open()));
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
    return new ElementIterator(new ObjectMapper(), in, file, parser);
  }

  /** The rows of one file's elements; also what the fuzz tests drive without Spark. */
  static final class ElementIterator implements Iterator<Row> {
    private final ObjectMapper json;
    private final JsonParser tokens;
    private final String file;
    private final ElementParser parser;
    private final StrictUtf8.TrackingReader text;
    private long index;
    private JsonToken current;

    ElementIterator(ObjectMapper json, StrictUtf8.TrackingReader text, String file, ElementParser parser)
        throws IOException {
      this.json = json;
      this.file = file;
      this.parser = parser;
      this.text = text;
      this.tokens = json.createParser(text);
      if (step() != JsonToken.START_ARRAY) {
        throw new IllegalArgumentException(file + ": expected a JSON array at line "
            + tokens.currentTokenLocation().getLineNr());
      }
      advance();
    }

    @Override
    public boolean hasNext() {
      if (current == null) {
        throw new IllegalArgumentException(file + ": the JSON array is not closed (truncated file?)");
      }
      return current != JsonToken.END_ARRAY;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      long line = tokens.currentTokenLocation().getLineNr();
      long start = tokens.currentTokenLocation().getCharOffset();
      JsonNode element;
      try {
        element = json.readTree(tokens);
      } catch (IOException e) {
        throw malformed(e);
      }
      long bad = text.firstInvalidBetween(start, tokens.currentTokenLocation().getCharOffset());
      text.forgetBefore(start);
      String damage = bad < 0 ? null : "invalid UTF-8 at byte " + bad + " of the file";
      Row row = parser.parse(element, file, index++, line, damage);
      advance();
      return row;
    }

    /** Moves to the next element; at the array's end, insists that nothing follows it. */
    private void advance() {
      current = step();
      if (current == JsonToken.END_ARRAY) {
        long line = tokens.currentTokenLocation().getLineNr();
        if (step() != null) {
          throw new IllegalArgumentException(file + ": unexpected content after the end of the JSON array"
              + " (closed at line " + line + "), at line " + tokens.currentTokenLocation().getLineNr()
              + "; a file must hold exactly one array");
        }
        current = JsonToken.END_ARRAY;
      }
    }

    private JsonToken step() {
      try {
        return tokens.nextToken();
      } catch (IOException e) {
        throw malformed(e);
      }
    }

    private RuntimeException malformed(IOException e) {
      if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
        JsonLocation at = jpe.getLocation();
        long bad = text.firstInvalidBetween(Math.max(0, at.getCharOffset() - 1), at.getCharOffset() + 1);
        // Jackson names its input source inside some messages ("[Source: (TrackingReader); line: 1, ..."]).
        String why = bad >= 0 ? "invalid UTF-8 at byte " + bad + " of the file"
            : jpe.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; ", "[");
        return new IllegalArgumentException(file + ": malformed JSON at line " + at.getLineNr() + " column "
            + at.getColumnNr() + ": " + why, e);
      }
      return InputFiles.unreadable(file, e);
    }
  }
}
