package io.stagewise.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.poison.attack.Stage;
import io.stagewise.sweep.spec.DataSource;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** The family spec is validated at the edge: the checked-in one reads, and every error names its field. */
class FamilySpecReaderTest {

  private static ObjectNode nightly() {
    return (ObjectNode) YamlSpecs.read(new Configuration(), NightlyFamily.SPEC.toString());
  }

  @Test
  void theCheckedInNightlySpecReads() {
    FamilySpec spec = FamilySpecReader.read(nightly(), "world-nightly.yaml");
    assertEquals("world-nightly", spec.name());
    assertEquals("out/datasets/world-nightly/_steps", spec.work());
    assertEquals(3, spec.keepVersions());
    assertTrue(spec.data() instanceof DataSource.World);
    assertEquals(Stage.SFT, spec.attackers().get(0).stage());
    assertEquals(Stage.PREFERENCE, spec.attackers().get(1).stage());
    assertEquals("100", spec.attackers().get(1).fixedBudget().value().toPlainString());
  }

  @Test
  void everyErrorNamesItsField() {
    ObjectNode tree = nightly();
    tree.put("keep_version", 2).put("keep_versions", 0);
    ((ObjectNode) tree.get("attackers").get(0)).remove("budget");
    ((ObjectNode) tree.get("attackers").get(1)).put("seed", 3);
    ((ObjectNode) tree.get("data").get("world")).put("sft_rowz", 10);
    ((ObjectNode) tree.get("truncation")).put("max_length", 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FamilySpecReader.read(tree, "broken.yaml"));
    String message = e.getMessage();
    assertTrue(message.startsWith("invalid dataset family spec broken.yaml:"), message);
    for (String field : new String[] {"keep_version: unknown key", "keep_versions: must be a whole number >= 1",
        "attackers[0].budget: is required", "attackers[1].seed: unknown key", "data.world.sft_rowz: unknown key",
        "truncation.max_length: must be a whole number >= 2"}) {
      assertTrue(message.contains("  - " + field), field + " in\n" + message);
    }
  }

  @Test
  void anAttackerRepeatingANameIsRefusedUnderItsIndex() {
    ObjectNode tree = nightly();
    ((ObjectNode) tree.get("attackers").get(1)).put("name", "sft-attacker");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FamilySpecReader.read(tree, "twice.yaml"));
    assertTrue(e.getMessage().contains("attackers[1].name: 'sft-attacker' is already the name of attackers[0]"),
        e.getMessage());
  }
}
