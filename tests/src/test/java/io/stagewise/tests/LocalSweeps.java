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
import java.util.ArrayList;
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

  /**
   * {@code conf/sweeps/<file>} with no poison (every budget 0) and one seed: the competence ITs' clean models; the
   * system property {@code stagewise.competence.set} adds {@code ;}-separated overrides, for measuring candidate
   * settings ({@code -Dstagewise.competence.set='a=1;b=2'}).
   */
  static SweepSpec clean(String file) {
    List<String> overrides = new ArrayList<>(List.of("grid.totals=[{count: 0}]", "grid.alphas=[0]",
        "grid.seeds=[1]"));
    for (String o : System.getProperty("stagewise.competence.set", "").split(";")) {
      if (!o.isBlank()) {
        overrides.add(o.strip());
      }
    }
    return spec(file, overrides, file + " (clean)");
  }

  static SweepDriver.Summary run(SparkSession spark, SweepSpec spec, Path out) {
    return SweepDriver.run(spark, spec, out.toString(), new LocalTrainingLauncher(), new PrintStream(System.err));
  }
}
