package io.stagewise.regenerate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.sweep.spec.SpecOverrides;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** The checked-in family spec conf/datasets/world-nightly.yaml, shrunk to a tiny world under a test folder. */
final class NightlyFamily {
  static final Path SPEC = Path.of("..", "conf", "datasets", "world-nightly.yaml");

  private NightlyFamily() {}

  /** The {@code --set} overrides that shrink the world and move the output under {@code dir}. */
  static List<String> tiny(Path dir, String... more) {
    List<String> out = new ArrayList<>(List.of("output=" + dir.resolve("family").toUri(),
        "data.world={seed: 1, sft_rows: 60, preference_rows: 40, eval_rows: 8, harmful_fraction: 0.5}",
        "attackers[0].budget={count: 6}", "attackers[1].budget={count: 5}"));
    out.addAll(List.of(more));
    return out;
  }

  static FamilySpec spec(Path dir, String... more) {
    ObjectNode tree = (ObjectNode) YamlSpecs.read(new Configuration(), SPEC.toString());
    SpecOverrides.apply(tree, tiny(dir, more));
    return FamilySpecReader.read(tree, SPEC.toString());
  }
}
