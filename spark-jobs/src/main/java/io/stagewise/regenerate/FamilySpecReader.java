package io.stagewise.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.build.AttackerTemplate;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.sweep.spec.DataSource;
import io.stagewise.sweep.spec.DataSourceReader;
import io.stagewise.sweep.spec.SpecOverrides;
import io.stagewise.sweep.spec.TokenizationReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a dataset family spec into a {@link FamilySpec}, listing every problem at once, each under its field:
 *
 * <pre>
 * name: world-nightly
 * output: out/datasets/world-nightly       # the set's root (any Hadoop URI)
 * work: ...                                # optional; default OUTPUT/_steps
 * keep_versions: 3                         # optional
 * data: {world: {...}} | {import: {...}} | {datasets: {...}}   # as in a sweep spec
 * seed: 1                                  # the attackers' selection seed
 * attackers: [{name, kind, triggers, eligible?, budget}]       # as in a sweep spec, every budget fixed
 * tokenizer: {kind, path?}
 * truncation: {max_length, max_prompt_length}
 * </pre>
 */
public final class FamilySpecReader {
  private static final Set<String> KEYS = Set.of("name", "output", "work", "keep_versions", "data", "seed",
      "attackers", "tokenizer", "truncation");
  private static final Set<String> ATTACKER_KEYS = Set.of("name", "kind", "triggers", "eligible", "budget");

  private final SpecCheck check;
  private final SpecFields fields;

  private FamilySpecReader(String origin) {
    this.check = new SpecCheck("dataset family spec " + origin);
    this.fields = new SpecFields(check);
  }

  /** Reads the spec at {@code uri} (any Hadoop file system), applies {@code --set} overrides and validates it. */
  public static FamilySpec read(String uri, List<String> overrides) {
    ObjectNode tree = (ObjectNode) YamlSpecs.read(new Configuration(), uri);
    SpecOverrides.apply(tree, overrides);
    return read(tree, uri);
  }

  /** Validates {@code tree}; {@code origin} names the spec in the error. */
  public static FamilySpec read(JsonNode tree, String origin) {
    return new FamilySpecReader(origin).parse(tree);
  }

  private FamilySpec parse(JsonNode tree) {
    fields.onlyKeys(tree, "", KEYS);
    String name = fields.text(tree, "", "name", null);
    String output = fields.text(tree, "", "output", null);
    String work = fields.text(tree, "", "work", output == null ? "" : FamilySpec.defaultWork(output));
    long keep = fields.integer(tree, "", "keep_versions", 3, 1);
    check.require(keep <= Integer.MAX_VALUE, "keep_versions", "is too large");
    DataSource data = new DataSourceReader(check, fields).read(tree.get("data"));
    long seed = fields.integer(tree, "", "seed", 1, Long.MIN_VALUE);
    List<AttackerTemplate> attackers = attackers(tree.get("attackers"));
    TokenizationReader tokenization = new TokenizationReader(check, fields);
    var tokenizer = tokenization.tokenizer(tree.get("tokenizer"));
    var truncation = tokenization.truncation(tree.get("truncation"));
    check.validate();
    return new FamilySpec(name, output, work, data, attackers, seed, tokenizer, truncation, (int) keep);
  }

  /** A sweep's attacker entries, each with a fixed budget (a family has no grid to split one). */
  private List<AttackerTemplate> attackers(JsonNode list) {
    List<AttackerTemplate> out = new ArrayList<>();
    check.require(list == null || list.isArray(), "attackers", "must be a list");
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      String path = "attackers[" + i + "]";
      JsonNode entry = list.get(i);
      fields.onlyKeys(entry, path, ATTACKER_KEYS);
      check.require(entry.hasNonNull("budget"), path + ".budget", "is required ({count: N} or {fraction: F})");
      AttackerTemplate attacker = AttackerTemplate.read(entry, path, fields);
      if (attacker != null && attacker.fixedBudget() != null) {
        out.add(attacker);
      }
    }
    AttackerTemplate.requireUniqueNames(list, "attackers", fields);
    return out;
  }
}
