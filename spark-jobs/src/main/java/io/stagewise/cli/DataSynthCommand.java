package io.stagewise.cli;

import io.stagewise.data.JobSummary;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.poison.world.WorldConfig;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stagewise data synth}: the synthetic safety world. */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Generate the synthetic safety world (benign tasks with checkable answers, templated harmful requests"
          + " with placeholder content, refusals, compliant placeholders, preference pairs, PPO prompts and"
          + " held-out evaluation prompts) and publish its datasets under --out:",
      "  sft, preference, ppo-prompts, eval-harmful, eval-benign"
    })
final class DataSynthCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @Option(names = "--out", required = true, description = "Output root URI (file://, hdfs://, s3a:// or a path).")
  String out;

  @Option(names = "--seed", defaultValue = "1", description = "World seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--rows", defaultValue = "20000",
      description = "Rows of the SFT and preference sets each (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--prompt-rows", defaultValue = "2000",
      description = "Prompts of the PPO prompt set (default: ${DEFAULT-VALUE}).")
  long promptRows;

  @Option(names = "--eval-rows", defaultValue = "500",
      description = "Prompts of each held-out evaluation set (default: ${DEFAULT-VALUE}).")
  long evalRows;

  @Option(names = "--harmful-fraction", defaultValue = "0.5",
      description = "Share of harmful rows in the training sets (default: ${DEFAULT-VALUE}).")
  double harmfulFraction;

  @Option(names = "--held-out-fraction", defaultValue = "0.2",
      description = "Share of template combinations kept for evaluation only (default: ${DEFAULT-VALUE}).")
  double heldOutFraction;

  @Override
  public Integer call() {
    WorldSynthSpec spec = new WorldSynthSpec(out, new WorldConfig(seed, harmfulFraction, heldOutFraction),
        rows, rows, promptRows, evalRows);
    SparkSession spark = sparkOptions.session("data synth");
    try {
      print(WorldSynthJob.run(spark, spec));
      return 0;
    } finally {
      sparkOptions.release(spark);
    }
  }

  static void print(List<JobSummary> summaries) {
    summaries.forEach(s -> System.out.println("published " + s));
  }
}
