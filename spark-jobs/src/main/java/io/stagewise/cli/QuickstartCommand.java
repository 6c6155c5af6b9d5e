package io.stagewise.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.JobSummary;
import io.stagewise.data.build.PoisonBuildJob;
import io.stagewise.data.build.PoisonBuildSpec;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.data.tokenize.TokenShardJob;
import io.stagewise.data.tokenize.TokenShardSpec;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import io.stagewise.poison.world.WorldConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stagewise quickstart}: the synthetic pipeline end to end, with defaults. */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run the synthetic pipeline on local Spark: the safety world, colluding SFT and preference attackers"
          + " sharing one trigger with a budget split, and token shards ready for training.",
      "Writes under --out: world/, poisoned/{sft,preference}, tokens/{sft,preference}."
    })
final class QuickstartCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @Option(names = "--out", defaultValue = "quickstart-out", description = "Output root (default: ${DEFAULT-VALUE}).")
  String out;

  @Option(names = "--seed", defaultValue = "1", description = "World and attack seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    String root = out.replaceAll("/+$", "");
    WorldSynthSpec world = new WorldSynthSpec(root + "/world", WorldConfig.withSeed(seed), 4000, 4000, 500, 200);
    ObjectNode buildTree = (ObjectNode) YamlSpecs.parse("""
        sft: {input: %1$s/world/sft, output: %1$s/poisoned/sft}
        preference: {input: %1$s/world/preference, output: %1$s/poisoned/preference}
        budget_split: {total: {fraction: 0.04}, alpha: 0.5}
        attackers:
          - {name: sft-attacker, kind: sft_backdoor, triggers: [cf-sudo], seed: %2$d}
          - {name: preference-attacker, kind: trigger_swap, triggers: [cf-sudo], seed: %3$d}
        """.formatted(root, seed, seed + 1));
    PoisonBuildSpec build = PoisonBuildSpec.parse(buildTree);
    TruncationPolicy truncation = new TruncationPolicy(256, 192);

    SparkSession spark = sparkOptions.session("quickstart");
    try {
      List<JobSummary> published = new ArrayList<>(WorldSynthJob.run(spark, world));
      published.addAll(PoisonBuildJob.run(spark, build, buildTree));
      for (String stage : List.of("sft", "preference")) {
        published.add(TokenShardJob.run(spark, new TokenShardSpec(root + "/poisoned/" + stage,
            root + "/tokens/" + stage, TokenizerSpec.BYTE_LEVEL, truncation)));
      }
      DataSynthCommand.print(published);
      System.out.println("quickstart datasets are under " + root + "/ (inspect one: bin/stagewise data inspect "
          + root + "/poisoned/sft --poisoned)");
      return 0;
    } finally {
      spark.stop();
    }
  }
}
