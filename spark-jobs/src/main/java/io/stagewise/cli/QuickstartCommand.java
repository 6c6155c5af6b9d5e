package io.stagewise.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.sweep.SweepDriver;
import io.stagewise.sweep.report.SweepReport;
import io.stagewise.sweep.run.LocalTrainingLauncher;
import io.stagewise.sweep.spec.SpecOverrides;
import io.stagewise.sweep.spec.SweepSpec;
import io.stagewise.sweep.spec.SweepSpecReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stagewise quickstart}: a bundled budget-split sweep on local Spark — the SFT → DPO one ({@value #SPEC}) or,
 * with {@code --study sft-rm-ppo}, the SFT → reward model → PPO one ({@value #PPO_SPEC}), under the installation,
 * which {@code bin/stagewise} names with {@code -Dstagewise.home} — ending with the report's location and its
 * summary table.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run the quickstart sweep (conf/sweeps/quickstart.yaml) on local Spark: the synthetic safety world,"
          + " colluding SFT and preference attackers sharing one trigger, a poison budget split between them,"
          + " SFT -> DPO -> evaluation for every split, and the report. About ten minutes on two cores.",
      "--study sft-rm-ppo runs conf/sweeps/quickstart-ppo.yaml instead: SFT and reward-model attackers,"
          + " SFT -> reward model on the poisoned pairs -> PPO -> evaluation.",
      "Rerunning with the same --out reuses every finished stage."
    })
final class QuickstartCommand implements Callable<Integer> {
  /** The bundled spec, relative to the installation root. */
  static final String SPEC = "conf/sweeps/quickstart.yaml";
  static final String PPO_SPEC = "conf/sweeps/quickstart-ppo.yaml";
  /** The system property naming the installation root (set by bin/stagewise). */
  static final String HOME_PROPERTY = "stagewise.home";

  @Mixin SparkOptions sparkOptions;

  @Option(names = "--out", defaultValue = "quickstart-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
  String out;

  @Option(names = "--study", defaultValue = "sft-dpo",
      description = "Which pipeline's quickstart: sft-dpo or sft-rm-ppo (default: ${DEFAULT-VALUE}).")
  String study;

  @Option(names = "--seed", description = "World seed (default: the spec's data.world.seed).")
  Long seed;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "Override a spec field, repeatable, as for `sweep` (e.g. --set grid.seeds=[1]).")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    SweepSpec spec = spec();
    sparkOptions.progress = false; // the sweep prints its own progress
    sparkOptions.conf.putIfAbsent("spark.sql.shuffle.partitions", "2");
    SparkSession spark = sparkOptions.session("quickstart");
    try {
      SweepDriver.Summary summary = SweepDriver.run(spark, spec, out, new LocalTrainingLauncher(), System.err);
      System.out.println("results: " + summary.results());
      System.out.println("report:  " + summary.report());
      System.out.println();
      System.out.println(summaryTable(summary.report(), spark.sparkContext().hadoopConfiguration()));
      return 0;
    } finally {
      sparkOptions.release(spark);
    }
  }

  /** The bundled spec with --seed and --set applied, validated. */
  private SweepSpec spec() {
    String home = System.getProperty(HOME_PROPERTY);
    if (home == null) {
      throw new IllegalArgumentException("quickstart: the system property " + HOME_PROPERTY + " (the installation"
          + " root holding " + SPEC + ") is not set; run it through bin/stagewise, or run `stagewise sweep "
          + SPEC + "`");
    }
    String bundled = switch (study) {
      case "sft-dpo" -> SPEC;
      case "sft-rm-ppo" -> PPO_SPEC;
      default -> throw new IllegalArgumentException("quickstart --study: unknown study '" + study
          + "', expected sft-dpo or sft-rm-ppo");
    };
    Path file = Path.of(home).resolve(bundled);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("quickstart: " + file + " does not exist (" + HOME_PROPERTY + "=" + home + ")");
    }
    ObjectNode tree = (ObjectNode) YamlSpecs.read(new Configuration(), file.toUri().toString());
    List<String> assignments = new ArrayList<>();
    if (seed != null) {
      assignments.add("data.world.seed=" + seed);
    }
    assignments.addAll(overrides);
    SpecOverrides.apply(tree, assignments);
    SweepSpec spec = SweepSpecReader.read(tree, file.toString());
    spec.inputs().requireExist(new Configuration(), "sweep spec " + file); // --set may name input files
    return spec;
  }

  /** The report's Markdown summary (verdicts and the per-cell table), read back from beside index.html. */
  private static String summaryTable(String reportIndex, Configuration conf) {
    org.apache.hadoop.fs.Path summary = new org.apache.hadoop.fs.Path(
        new org.apache.hadoop.fs.Path(reportIndex).getParent(), SweepReport.SUMMARY);
    try (var in = summary.getFileSystem(conf).open(summary)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + summary, e);
    }
  }
}
