package io.stagewise.cli;

import io.stagewise.sweep.ScalingSweepDriver;
import io.stagewise.sweep.SweepDriver;
import io.stagewise.sweep.run.LocalTrainingLauncher;
import io.stagewise.sweep.run.SparkTaskLauncher;
import io.stagewise.sweep.run.TrainingLauncher;
import io.stagewise.sweep.spec.ScalingSpec;
import io.stagewise.sweep.spec.SweepDefinition;
import io.stagewise.sweep.spec.SweepSpec;
import io.stagewise.sweep.spec.SweepSpecReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stagewise sweep}: a budget-split sweep or a CEG scaling study from a spec, resumable, ending in a results
 * table and report.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = {
      "Run a sweep (e.g. conf/sweeps/quickstart.yaml): expands the grid into a DAG of data, training and"
          + " evaluation stages with content-addressed artifacts under --out, runs what is not finished yet,"
          + " and writes OUT/results.parquet and OUT/report/index.html.",
      "Rerunning the same command skips every finished stage; changing one setting reruns only the stages"
          + " that depend on it."
    })
public final class SweepCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @Parameters(index = "0", paramLabel = "SPEC.yaml", description = "The sweep spec.")
  String specPath;

  @Option(names = "--out", defaultValue = "sweeps/out", description = "Output directory (default: ${DEFAULT-VALUE}).")
  String out;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "Override a spec field, repeatable: --set grid.seeds=[1] --set data.import.sft[0].paths=[...]")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--training-on", paramLabel = "local|spark",
      description = "Where training runs execute: threads of this driver (local) or one Spark task each (spark)."
          + " Default: local with a local master, spark otherwise.")
  String trainingOn;

  @Override
  public Integer call() {
    SweepDefinition spec = SweepSpecReader.load(specPath, overrides);
    spec.inputs().requireExist(new org.apache.hadoop.conf.Configuration(), "sweep spec " + specPath);
    sparkOptions.progress = false; // the sweep prints its own progress; per-stage Spark lines would interleave
    boolean embedded = !new org.apache.spark.SparkConf().contains("spark.master")
        && (sparkOptions.master == null || sparkOptions.master.startsWith("local"));
    if (embedded) {
      // A sweep's datasets are small and its jobs many: few shuffle partitions keep each job short.
      sparkOptions.conf.putIfAbsent("spark.sql.shuffle.partitions", "2");
    }
    SparkSession spark = sparkOptions.session("sweep " + spec.name());
    try {
      if (spec instanceof ScalingSpec scaling) {
        ScalingSweepDriver.Summary summary = ScalingSweepDriver.run(spark, scaling, out, launcher(spark), System.err);
        System.out.println("results: " + summary.results());
        System.out.println("curves:  " + summary.curves());
        System.out.println("report:  " + summary.report());
        return 0;
      }
      SweepDriver.Summary summary = SweepDriver.run(spark, (SweepSpec) spec, out, launcher(spark), System.err);
      System.out.println("results: " + summary.results());
      System.out.println("report:  " + summary.report());
      return 0;
    } finally {
      spark.stop();
    }
  }

  private TrainingLauncher launcher(SparkSession spark) {
    boolean local = spark.sparkContext().isLocal();
    String where = trainingOn == null ? (local ? "local" : "spark") : trainingOn;
    return switch (where) {
      case "local" -> new LocalTrainingLauncher();
      case "spark" -> new SparkTaskLauncher(spark);
      default -> throw new IllegalArgumentException("--training-on: expected local or spark, got '" + where + "'");
    };
  }
}
