package io.stagewise.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.sweep.spec.SpecOverrides;
import io.stagewise.sweep.spec.SweepSpec;
import io.stagewise.sweep.spec.SweepSpecReader;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** The sweep specs under conf/sweeps, as tests read them (Surefire runs in the module directory). */
public final class CheckedInSweeps {
  public static final Path DIR = Path.of("..", "conf", "sweeps");

  private CheckedInSweeps() {}

  public static ObjectNode tree(String name) {
    return (ObjectNode) YamlSpecs.read(new Configuration(), DIR.resolve(name).toString());
  }

  /** The spec {@code name} with {@code --set}-style overrides applied. */
  public static SweepSpec spec(String name, String... overrides) {
    ObjectNode tree = tree(name);
    SpecOverrides.apply(tree, List.of(overrides));
    return SweepSpecReader.read(tree, name);
  }
}
