package io.stagewise.sweep.spec;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.importer.SourceSpec;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.poison.world.WorldConfig;
import java.util.Set;

/**
 * Reads a sweep's (or a dataset family's) {@code data} section: exactly one of {@code world},
 * {@code datasets} (published URIs) or {@code import} (real sources), recording every problem in the shared
 * {@link SpecCheck}.
 */
public final class DataSourceReader {
  private static final Set<String> WORLD_KEYS = Set.of("seed", "sft_rows", "preference_rows", "eval_rows",
      "harmful_fraction", "held_out_fraction");
  private static final Set<String> DATASET_KEYS = Set.of("sft", "preference", "eval_harmful", "eval_benign");
  private static final Set<String> IMPORT_KEYS = Set.of("sft", "preference", "eval_harmful", "holdout_fraction");

  private final SpecCheck check;
  private final SpecFields fields;

  public DataSourceReader(SpecCheck check, SpecFields fields) {
    this.check = check;
    this.fields = fields;
  }

  public DataSource read(JsonNode data) {
    fields.onlyKeys(data, "data", Set.of("world", "datasets", "import"));
    int named = data == null ? 0 : (data.has("world") ? 1 : 0) + (data.has("datasets") ? 1 : 0)
        + (data.has("import") ? 1 : 0);
    check.require(named == 1, "data", "must name exactly one of world, datasets, import");
    if (named != 1) {
      return null;
    }
    if (data.has("world")) {
      return world(data.get("world"));
    }
    return data.has("datasets") ? published(data.get("datasets")) : imported(data.get("import"));
  }

  private DataSource world(JsonNode w) {
    String at = "data.world";
    fields.onlyKeys(w, at, WORLD_KEYS);
    long seed = fields.integer(w, at, "seed", 1, Long.MIN_VALUE);
    double harmful = fields.number(w, at, "harmful_fraction", WorldConfig.DEFAULT_HARMFUL_FRACTION, 0, 1);
    double heldOut = fields.number(w, at, "held_out_fraction", WorldConfig.DEFAULT_HELD_OUT_FRACTION, 0, 1);
    long sft = fields.integer(w, at, "sft_rows", 2000, 1);
    long preference = fields.integer(w, at, "preference_rows", 2000, 1);
    long eval = fields.integer(w, at, "eval_rows", 200, 1);
    WorldConfig config = fields.convert(at, w, n -> new WorldConfig(seed, harmful, heldOut));
    return config == null ? null : new DataSource.World(config, sft, preference, eval);
  }

  private DataSource published(JsonNode d) {
    String at = "data.datasets";
    fields.onlyKeys(d, at, DATASET_KEYS);
    return new DataSource.Published(fields.text(d, at, "sft", null), fields.text(d, at, "preference", null),
        fields.text(d, at, "eval_harmful", null), fields.text(d, at, "eval_benign", null));
  }

  private DataSource imported(JsonNode d) {
    String at = "data.import";
    fields.onlyKeys(d, at, IMPORT_KEYS);
    double holdout = fields.number(d, at, "holdout_fraction", 0.05, 0, 1);
    check.require(holdout > 0 && holdout < 1, at + ".holdout_fraction", "must be in (0, 1), got " + holdout);
    return new DataSource.Imported(SourceSpec.readList(d, at, "sft", fields),
        SourceSpec.readList(d, at, "preference", fields), SourceSpec.readList(d, at, "eval_harmful", fields), holdout);
  }

}
