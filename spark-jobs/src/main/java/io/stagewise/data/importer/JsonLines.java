package io.stagewise.data.importer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Reads JSON-lines files (plain or gzipped) with exact 1-based line numbers: each file is read as Hadoop
 * text lines {@code zipWithIndex()}, which keeps line order across its splits, and every line, empty or
 * not, is handed to a {@link LineParser} with one Jackson mapper per partition. Lines are decoded here,
 * strictly ({@link StrictUtf8}): {@code textFile} would turn invalid bytes into U+FFFD and import them.
 */
final class JsonLines {
  private JsonLines() {}

  /**
   * Turns one line into a parsed row (accepted or rejected); must not throw for bad content.
   * {@code damage}, when not null, is why the line must be rejected (invalid UTF-8) whatever it holds.
   */
  @FunctionalInterface
  interface LineParser extends Serializable {
    Row parse(ObjectMapper json, String file, long line, String text, String damage);
  }

  static JavaRDD<Row> read(SparkSession spark, List<String> files, LineParser parser) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<JavaRDD<Row>> perFile = new ArrayList<>();
    for (String file : files) {
      // Named before zipWithIndex: it reads the file twice (counting, then rows), and both must say which
      // file failed.
      JavaRDD<StrictUtf8.Decoded> decoded = jsc.hadoopFile(file, TextInputFormat.class, LongWritable.class, Text.class)
          .mapPartitions(lines -> new FileNamingIterator<>(file, lines))
          .map(pair -> StrictUtf8.decode(pair._2().getBytes(), 0, pair._2().getLength()));
      perFile.add(decoded.zipWithIndex().mapPartitions(named -> {
        ObjectMapper json = strictMapper();
        return new Iterator<Row>() {
          @Override
          public boolean hasNext() {
            return named.hasNext();
          }

          @Override
          public Row next() {
            Tuple2<StrictUtf8.Decoded, Long> line = named.next();
            StrictUtf8.Decoded text = line._1();
            return parser.parse(json, file, line._2() + 1, text.text(), text.valid() ? null : text.problem());
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

  /**
   * Re-throws read errors of the underlying file (corrupt or truncated gzip, I/O) as one line naming the
   * file ({@link InputFiles#unreadable}).
   */
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
      } catch (Exception e) { // Hadoop's reader throws IOException undeclared, through Scala
        throw InputFiles.unreadable(file, e);
      }
    }

    @Override
    public T next() {
      try {
        return delegate.next();
      } catch (Exception e) { // Hadoop's reader throws IOException undeclared, through Scala
        throw InputFiles.unreadable(file, e);
      }
    }
  }
}
