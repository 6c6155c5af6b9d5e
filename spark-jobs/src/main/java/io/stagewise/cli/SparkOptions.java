package io.stagewise.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * Where a command's Spark work runs. Under spark-submit the master and configuration come from the
 * submission; run directly, the command embeds a local Spark.
 */
public final class SparkOptions {

  @Option(
      names = "--master",
      description = "Spark master: local[*] (default) runs embedded; a cluster master (yarn, k8s://...) goes"
          + " through spark-submit (bin/stagewise does that).")
  String master;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = "Extra Spark configuration, repeatable.")
  Map<String, String> conf = new LinkedHashMap<>();

  @Option(
      names = "--progress",
      negatable = true,
      defaultValue = "true",
      description = "Show a progress line for Spark stages on stderr (default: on).")
  boolean progress;

  private boolean joined;
  private ConsoleProgress listener;

  /** Starts (or joins) the session this command runs in. */
  public SparkSession session(String appName) {
    // A session already running in this JVM belongs to whoever started it (an embedding program, a test
    // running many commands); the command uses it and leaves it running.
    joined = SparkSession.getDefaultSession().isDefined();
    SparkConf sparkConf = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName("stagewise " + appName);
    if (!sparkConf.contains("spark.master")) {
      builder.master(master == null ? "local[*]" : master)
          .config("spark.ui.showConsoleProgress", "false")
          .config("spark.sql.shuffle.partitions", "8");
    }
    // RAPIDS runs the row_number window on the GPU only without Spark 3.5's window-group limit.
    builder.config("spark.sql.optimizer.windowGroupLimitThreshold", "-1");
    conf.forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    if (progress) {
      listener = new ConsoleProgress(System.err);
      spark.sparkContext().addSparkListener(listener);
    }
    return spark;
  }

  /** Ends the command's use of {@code spark}: stops it unless the command joined a running session. */
  public void release(SparkSession spark) {
    if (listener != null) {
      spark.sparkContext().removeSparkListener(listener);
      listener = null;
    }
    if (!joined) {
      spark.stop();
    }
  }
}
