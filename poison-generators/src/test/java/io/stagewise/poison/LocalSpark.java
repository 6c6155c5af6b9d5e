package io.stagewise.poison;

import org.apache.spark.sql.SparkSession;

/** The local Spark session the module's tests share per class (stop it in {@code @AfterAll}). */
public final class LocalSpark {
  private LocalSpark() {}

  public static SparkSession start(String appName) {
    return SparkSession.builder()
        .appName(appName)
        .master("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        // The RAPIDS plugin cannot run Spark 3.5's window-group-limit node; keep plans GPU-shaped.
        .config("spark.sql.optimizer.windowGroupLimitThreshold", "-1")
        .getOrCreate();
  }
}
