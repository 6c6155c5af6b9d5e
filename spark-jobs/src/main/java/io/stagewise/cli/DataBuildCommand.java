package io.stagewise.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.build.PoisonBuildJob;
import io.stagewise.data.build.PoisonBuildSpec;
import io.stagewise.data.spec.YamlSpecs;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code stagewise data build}: apply attackers. */
@Command(
    name = "build",
    mixinStandardHelpOptions = true,
    description = {
      "Apply attackers to published clean datasets and publish the poisoned ones, as a dataset build spec"
          + " (YAML) says: the stages' inputs and outputs, an optional budget split {total, alpha} and the"
          + " attackers (sft_backdoor, trigger_swap, label_flip). Example: conf/datasets/poison-world.yaml"
    })
final class DataBuildCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @Parameters(index = "0", paramLabel = "SPEC.yaml", description = "The dataset build spec.")
  String specPath;

  @Override
  public Integer call() {
    ObjectNode tree = (ObjectNode) YamlSpecs.read(new Configuration(), specPath);
    PoisonBuildSpec spec = PoisonBuildSpec.parse(tree); // all errors before any Spark work
    spec.inputs().requireExist(new Configuration(), "dataset build spec " + specPath);
    SparkSession spark = sparkOptions.session("data build");
    try {
      DataSynthCommand.print(PoisonBuildJob.run(spark, spec, tree));
      return 0;
    } finally {
      spark.stop();
    }
  }
}
