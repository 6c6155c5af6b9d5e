package io.stagewise.data.importer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Reads JSON-lines files (plain or gzipped) with exact 1-based line numbers: each file is read with
 * {@code textFile(...).zipWithIndex()}, which keeps line order across its splits, and every line, empty or
 * not, is handed to a {@link LineParser} with one Jackson mapper per partition.
 */
final class JsonLines {
  private JsonLines() {}

  /** Turns one line into a parsed row (accepted or rejected); must not throw for bad content. */
  @FunctionalInterface
  interface LineParser extends Serializable {
    Row parse(ObjectMapper json, String file, long line, String text);
  }

  static JavaRDD<Row> read(SparkSession spark, List<String> files, LineParser parser) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<JavaRDD<Row>> perFile = new ArrayList<>();
    for (String file : files) {
      perFile.add(jsc.textFile(file).zipWithIndex().mapPartitions(lines -> {
        ObjectMapper json = strictMapper();
        Iterator<Tuple2<String, Long>> named = new FileNamingIterator<>(file, lines);
        return new Iterator<Row>() {
          @Override
          public boolean hasNext() {
            return named.hasNext();
          }

          @Override
          public Row next() {
            Tuple2<String, Long> line = named.next();
            return parser.parse(json, file, line._2() + 1, line._1());
          }
        };
      }));
    }
    return InputFiles.union(jsc, perFile);
  }

  /** Refuses trailing garbage after the JSON value (Jackson ignores it by default). */
  static ObjectMapper strictMapper() {
    return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** Re-throws read errors of the underlying file (corrupt gzip, I/O) with the file's name. */
  static final class FileNamingIterator<T> implements Iterator<T> {
    private final String file;
    private final Iterator<T> delegate;

    FileNamingIterator(String file, Iterator<T> delegate) {
      this.file = file;
      this.delegate = delegate;
    }

    @Override
    public boolean hasNext() {
      try {
        return delegate.hasNext();
      } catch (Exception e) {
        throw new IllegalStateException("cannot read " + file + ": " + e, e);
      }
    }

    @Override
    public T next() {
      try {
        return delegate.next();
      } catch (Exception e) {
        throw new IllegalStateException("cannot read " + file + ": " + e, e);
      }
    }
  }
}
