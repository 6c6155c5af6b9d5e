package io.stagewise.data.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.stagewise.data.LocalSpark;
import io.stagewise.data.RejectedRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One local Spark per importer test class, and small helpers to write and inspect inputs. */
abstract class ImporterTestBase {
  static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** Rejected rows as line → reason, checking every one names its file. */
  static Map<Long, String> rejectedByLine(ImportResult result) {
    Map<Long, String> byLine = new TreeMap<>();
    List<Row> rows = result.rejected().collectAsList();
    for (Row r : rows) {
      assertNotNull(r.getAs(RejectedRows.FILE));
      assertNotNull(r.getAs(RejectedRows.REASON));
      byLine.put(r.getAs(RejectedRows.LINE), r.getAs(RejectedRows.REASON));
    }
    assertEquals(rows.size(), byLine.size(), "one rejected row per line");
    return byLine;
  }
}
