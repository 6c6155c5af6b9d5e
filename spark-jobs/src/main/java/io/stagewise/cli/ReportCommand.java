package io.stagewise.cli;

import io.stagewise.data.spec.InputPaths;
import io.stagewise.sweep.report.SweepReport;
import io.stagewise.sweep.results.ResultsTable;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stagewise report}: the HTML report of a sweep's results table. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Write report/index.html (PNG plots, verdict) and report/summary.md from a sweep's results"
        + " table (OUT/results.parquet).")
public final class ReportCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @Parameters(index = "0", paramLabel = "RESULTS", description = "The results table (a results.parquet directory).")
  String results;

  @Option(names = "--out", description = "Report directory (default: report/ beside the results table).")
  String out;

  @Override
  public Integer call() {
    sparkOptions.progress = false;
    new InputPaths().add("RESULTS", results).requireExist(new Configuration(), "report");
    SparkSession spark = sparkOptions.session("report");
    try {
      String dir = out != null ? out : new Path(new Path(results).getParent(), "report").toString();
      String index = SweepReport.write(ResultsTable.read(spark, results), dir,
          spark.sparkContext().hadoopConfiguration());
      System.out.println("report: " + index);
      return 0;
    } finally {
      spark.stop();
    }
  }
}
