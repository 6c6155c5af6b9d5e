package io.stagewise.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;

/** The test conventions: one small local Spark per test class, and the shared public data when present. */
public final class LocalSpark {
  private LocalSpark() {}

  public static SparkSession start() {
    return start(2);
  }

  public static SparkSession start(int cores) {
    return SparkSession.builder()
        .master("local[" + cores + "]")
        .appName("stagewise-data-test")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate();
  }

  /** A file under the shared data folder; skips the test when the folder or file is absent. */
  public static Path sharedData(String relative) {
    String root = System.getProperty("stagewise.shared.data");
    Assumptions.assumeTrue(root != null, "stagewise.shared.data is not set");
    Path file = Path.of(root).resolve(relative);
    Assumptions.assumeTrue(Files.exists(file), file + " is absent");
    return file;
  }
}
