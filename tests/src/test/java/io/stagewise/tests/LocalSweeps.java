package io.stagewise.tests;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.sweep.SweepDriver;
import io.stagewise.sweep.run.LocalTrainingLauncher;
import io.stagewise.sweep.spec.SpecOverrides;
import io.stagewise.sweep.spec.SweepSpec;
import io.stagewise.sweep.spec.SweepSpecReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * What the sweep ITs share: a two-core local Spark session, a checked-in sweep spec with {@code --set}-style
 * overrides, and a sweep run with local training threads (Failsafe runs in the module directory).
 */
final class LocalSweeps {
  private LocalSweeps() {}

  static SparkSession spark(String app) {
    return SparkSession.builder().master("local[2]").appName(app)
        .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false").getOrCreate();
  }

  /** {@code conf/sweeps/<file>} with {@code overrides} applied; {@code origin} names it in errors. */
  static SweepSpec spec(String file, List<String> overrides, String origin) {
    ObjectNode tree = (ObjectNode) YamlSpecs.read(new Configuration(),
        Path.of("..", "conf", "sweeps", file).toString());
    SpecOverrides.apply(tree, overrides);
    return SweepSpecReader.read(tree, origin);
  }

  static SweepDriver.Summary run(SparkSession spark, SweepSpec spec, Path out) {
    return SweepDriver.run(spark, spec, out.toString(), new LocalTrainingLauncher(), new PrintStream(System.err));
  }
}
