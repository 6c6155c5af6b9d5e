package io.stagewise.cli;

import io.stagewise.regenerate.FamilySpec;
import io.stagewise.regenerate.FamilySpecReader;
import io.stagewise.regenerate.RegenerateDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stagewise data regenerate}: a dataset family rebuilt step by step and published as one set. */
@Command(
    name = "regenerate",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuild a dataset family (source -> build with attackers -> tokenize, e.g."
          + " conf/datasets/world-nightly.yaml) with the sweep's content keys: only the steps whose inputs or"
          + " spec changed are built again. The members are published as one new version of the set under the"
          + " spec's output (one pointer, written last), unless the current version already holds them; old"
          + " versions are kept up to keep_versions."
    })
final class DataRegenerateCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @Parameters(index = "0", paramLabel = "SPEC.yaml", description = "The dataset family spec.")
  String specPath;

  @Option(names = "--set", paramLabel = "PATH=VALUE",
      description = "Override a spec field, repeatable: --set output=s3a://bucket/world --set seed=2")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    FamilySpec spec = FamilySpecReader.read(specPath, overrides); // all errors before any Spark work
    spec.inputs().requireExist(new Configuration(), "dataset family spec " + specPath);
    sparkOptions.progress = false; // the steps print their own progress
    SparkSession spark = sparkOptions.session("data regenerate " + spec.name());
    try {
      RegenerateDriver.Summary summary = RegenerateDriver.run(spark, spec, System.err);
      summary.lines().forEach(System.out::println);
      if (!summary.pruned().isEmpty()) {
        System.out.println("pruned " + summary.pruned().size() + " step directories no version uses: "
            + String.join(", ", summary.pruned()));
      }
      System.out.println("current version of " + spec.output() + ": " + summary.current());
      return 0;
    } finally {
      sparkOptions.release(spark);
    }
  }
}
