package io.stagewise.tests;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Spark RAPIDS in explain-only mode: plans are checked for GPU eligibility on a machine without a GPU. The
 * plugin jar is on the test classpath only (its parent POM is not on Maven Central), hence reflection.
 */
final class RapidsExplain {
  static final String SPARK_353_SHIM = "com.nvidia.spark.rapids.shims.spark353.SparkShimServiceProvider";

  private RapidsExplain() {}

  /** A local session with the RAPIDS SQL extension in explain-only mode. */
  static SparkSession session() {
    return SparkSession.builder()
        .master("local[2]")
        .appName("stagewise-rapids-explain")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.extensions", "com.nvidia.spark.rapids.SQLExecPlugin")
        .config("spark.rapids.sql.mode", "explainOnly")
        .config("spark.rapids.sql.explain", "NOT_ON_GPU")
        .config("spark.rapids.skipGpuArchitectureCheck", "true")
        // RAPIDS 24.12 has no shim for Spark 3.5.5; its 3.5.3 shim is the nearest (Departure 37).
        .config("spark.rapids.shims-provider-override", SPARK_353_SHIM)
        // Spark 3.5's window-group limit has no GPU version; Stagewise turns it off everywhere.
        .config("spark.sql.optimizer.windowGroupLimitThreshold", "-1")
        .getOrCreate();
  }

  /** The lines of the RAPIDS report that say something cannot run on the GPU. */
  static List<String> cpuFallbacks(Dataset<Row> plan) {
    String report = report(plan);
    List<String> fallbacks = new ArrayList<>();
    for (String line : report.split("\n")) {
      if (line.trim().startsWith("!")) {
        fallbacks.add(line.trim());
      }
    }
    return fallbacks;
  }

  static String report(Dataset<Row> plan) {
    try {
      Class<?> explain = Class.forName("com.nvidia.spark.rapids.ExplainPlan");
      return (String) explain.getMethod("explainPotentialGpuPlan", Dataset.class, String.class)
          .invoke(null, plan, "NOT_ON_GPU");
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the RAPIDS plugin jar is not on the test classpath", e);
    }
  }
}
