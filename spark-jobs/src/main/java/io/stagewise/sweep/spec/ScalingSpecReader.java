package io.stagewise.sweep.spec;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.ceg.CegOptions;
import io.stagewise.ceg.Smoothing;
import io.stagewise.cli.TrainSpecs;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.poison.world.WorldConfig;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code pipeline: scaling} spec into a {@link ScalingSpec}, recording every problem in the shared
 * {@link SpecCheck} of the {@link SweepSpecReader} that dispatched to it, so one run lists them all, each
 * naming its field. Beyond each field's own range it checks what only the whole spec can: the baseline is one
 * of the innovation sets, every set builds a valid model at every size, sizes are listed smallest first, blocks
 * fit the context, and every run evaluates often enough to give a curve.
 */
final class ScalingSpecReader {
  static final Set<String> KEYS = Set.of("name", "pipeline", "data", "grid", "baseline", "innovations", "model",
      "tokenizer", "lm", "ceg", "execution");
  private static final Set<String> SWITCH_KEYS = Set.of("norm", "position", "attention", "kv_heads", "experts",
      "top_k", "sparse_block_size", "sparse_selected_blocks", "sparse_local_blocks", "mlp");
  /** Model keys a scaling spec may set for every run; the switches belong to the innovation sets. */
  private static final Set<String> MODEL_KEYS = Set.of("context_length", "dropout", "tied_embeddings");
  /** A stand-in vocabulary: the switches' checks do not depend on its size. */
  private static final int PROBE_VOCAB = 256;
  /** Evaluations a curve needs at least (the power-law fit takes three points). */
  static final int MIN_EVALUATIONS = 3;

  private final SpecCheck check;
  private final SpecFields fields;
  private final SweepSpecReader shared;

  ScalingSpecReader(SpecCheck check, SpecFields fields, SweepSpecReader shared) {
    this.check = check;
    this.fields = fields;
    this.shared = shared;
  }

  ScalingSpec parse(JsonNode tree) {
    fields.onlyKeys(tree, "", KEYS);
    String name = fields.text(tree, "", "name", "scaling");
    ScalingCorpus corpus = corpus(tree.get("data"));
    JsonNode grid = tree.get("grid");
    check.require(grid != null && grid.isObject(), "grid", "is required (seeds, presets)");
    fields.onlyKeys(grid, "grid", Set.of("seeds", "presets"));
    List<Long> seeds = seeds(grid);
    List<String> presets = presets(grid);
    List<ModelSpec> models = models(tree.get("model"), presets);
    List<ScalingSpec.InnovationSet> innovations = innovations(tree.get("innovations"));
    String baseline = fields.text(tree, "", "baseline", null);
    boolean known = innovations.stream().anyMatch(i -> i.name().equals(baseline));
    check.require(baseline == null || known, "baseline", "'" + baseline + "' is not one of the innovations "
        + innovations.stream().map(ScalingSpec.InnovationSet::name).toList());
    check.require(innovations.size() >= 2, "innovations", "needs the baseline and at least one innovation set");
    TrainConfig lm = lm(tree.get("lm"));
    CegOptions ceg = ceg(tree.get("ceg"));
    TokenizerSpec tokenizer = shared.tokenizer(tree.get("tokenizer"));
    SweepSpec.Execution execution = shared.execution(tree.get("execution"));
    if (known && models.size() == presets.size()) {
      ScalingSpec probe = new ScalingSpec(name, corpus, seeds, presets, models, baseline, innovations, tokenizer,
          lm, ceg, execution);
      checkModels(probe);
    }
    check.validate();
    return new ScalingSpec(name, corpus, seeds, presets, models, baseline, innovations, tokenizer, lm, ceg,
        execution);
  }

  private ScalingCorpus corpus(JsonNode data) {
    fields.onlyKeys(data, "data", Set.of("corpus", "world"));
    int named = data == null ? 0 : (data.has("corpus") ? 1 : 0) + (data.has("world") ? 1 : 0);
    check.require(named == 1, "data", "must name exactly one of corpus (text files) or world (synthetic text)");
    if (named != 1) {
      return null;
    }
    if (data.has("corpus")) {
      String at = "data.corpus";
      JsonNode c = data.get("corpus");
      fields.onlyKeys(c, at, Set.of("paths", "block_size", "test_fraction"));
      List<String> paths = fields.texts(c, at, "paths");
      check.require(!paths.isEmpty(), at + ".paths", "must list at least one text file");
      return new ScalingCorpus.TextFiles(paths, blockSize(c, at), testFraction(c, at));
    }
    String at = "data.world";
    JsonNode w = data.get("world");
    fields.onlyKeys(w, at, Set.of("seed", "rows", "harmful_fraction", "held_out_fraction", "block_size",
        "test_fraction"));
    long seed = fields.integer(w, at, "seed", 1, Long.MIN_VALUE);
    double harmful = fields.number(w, at, "harmful_fraction", WorldConfig.DEFAULT_HARMFUL_FRACTION, 0, 1);
    double heldOut = fields.number(w, at, "held_out_fraction", WorldConfig.DEFAULT_HELD_OUT_FRACTION, 0, 1);
    long rows = fields.integer(w, at, "rows", 4000, 1);
    WorldConfig world = fields.convert(at, w, n -> new WorldConfig(seed, harmful, heldOut));
    return world == null ? null : new ScalingCorpus.WorldText(world, rows, blockSize(w, at), testFraction(w, at));
  }

  private Integer blockSize(JsonNode node, String at) {
    long size = fields.integer(node, at, "block_size", -1, 2);
    return size < 0 ? null : (int) size;
  }

  private double testFraction(JsonNode node, String at) {
    double fraction = fields.number(node, at, "test_fraction", 0.1, 0, 1);
    check.require(fraction > 0 && fraction < 1, at + ".test_fraction", "must be in (0, 1): the evaluation set"
        + " is the held-out blocks, got " + fraction);
    return fraction;
  }

  private List<Long> seeds(JsonNode grid) {
    JsonNode list = grid == null ? null : grid.get("seeds");
    List<Long> out = new ArrayList<>();
    check.require(list != null && list.isArray() && !list.isEmpty(), "grid.seeds", "must be a non-empty list");
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      boolean ok = list.get(i).canConvertToExactIntegral();
      check.require(ok, "grid.seeds[" + i + "]", "must be a whole number, got " + list.get(i));
      check.require(!ok || !out.contains(list.get(i).asLong()), "grid.seeds[" + i + "]", "repeats " + list.get(i));
      if (ok) {
        out.add(list.get(i).asLong());
      }
    }
    return out;
  }

  private List<String> presets(JsonNode grid) {
    List<String> presets = fields.texts(grid, "grid", "presets");
    check.require(!presets.isEmpty(), "grid.presets", "must list at least one preset, smallest first");
    for (int i = 0; i < presets.size(); i++) {
      check.require(ModelPresets.NAMES.contains(presets.get(i)), "grid.presets[" + i + "]",
          "unknown preset '" + presets.get(i) + "', expected one of " + ModelPresets.NAMES);
      check.require(presets.indexOf(presets.get(i)) == i, "grid.presets[" + i + "]", "repeats " + presets.get(i));
    }
    return presets.stream().filter(ModelPresets.NAMES::contains).distinct().toList();
  }

  private List<ModelSpec> models(JsonNode overrides, List<String> presets) {
    check.require(overrides == null || overrides.isObject(), "model", "must be a mapping");
    if (overrides != null && overrides.isObject()) {
      for (Iterator<String> it = overrides.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        check.require(MODEL_KEYS.contains(key), "model." + key, SWITCH_KEYS.contains(key)
            ? "is an innovation switch: set it under baseline's or an innovation's entry in innovations"
            : "unknown key (expected one of " + MODEL_KEYS + ")");
      }
    }
    List<ModelSpec> out = new ArrayList<>();
    for (String preset : presets) {
      ModelSpec model = TrainSpecs.model(overrides, preset, check);
      if (model != null) {
        out.add(model);
      }
    }
    return out;
  }

  private List<ScalingSpec.InnovationSet> innovations(JsonNode sets) {
    List<ScalingSpec.InnovationSet> out = new ArrayList<>();
    check.require(sets != null && sets.isObject() && !sets.isEmpty(), "innovations",
        "must map each innovation set's name to its model switches (the baseline's included)");
    if (sets == null || !sets.isObject()) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = sets.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "innovations." + e.getKey();
      JsonNode s = e.getValue();
      check.require(s.isObject(), at, "must be a mapping of model switches " + SWITCH_KEYS);
      check.require(e.getKey().matches("[A-Za-z0-9][A-Za-z0-9_.+\\-]*"), at,
          "names a file and a column value: letters, digits and _ . + - only");
      fields.onlyKeys(s, at, SWITCH_KEYS);
      ModelSwitches switches = new ModelSwitches(switchText(s, at, "norm"), switchText(s, at, "position"),
          switchText(s, at, "attention"), switchCount(s, at, "kv_heads", 1), switchCount(s, at, "experts", 0),
          switchCount(s, at, "top_k", 1), switchCount(s, at, "sparse_block_size", 1),
          switchCount(s, at, "sparse_selected_blocks", 0), switchCount(s, at, "sparse_local_blocks", 1),
          switchText(s, at, "mlp"));
      check.require(s.has("experts") == s.has("top_k"), at, "experts and top_k go together");
      out.add(new ScalingSpec.InnovationSet(e.getKey(), switches));
    }
    return out;
  }

  private String switchText(JsonNode s, String at, String key) {
    return s.hasNonNull(key) ? fields.text(s, at, key, null) : null;
  }

  private Integer switchCount(JsonNode s, String at, String key, long min) {
    return s.hasNonNull(key) ? (Integer) (int) fields.integer(s, at, key, min, min) : null;
  }

  /** Every set builds a valid model at every size; sizes grow along the list; blocks fit the context. */
  private void checkModels(ScalingSpec spec) {
    long previous = 0;
    for (int size = 0; size < spec.presets().size(); size++) {
      String preset = spec.presets().get(size);
      for (ScalingSpec.InnovationSet set : spec.innovations()) {
        try {
          spec.model(size, set).resolve(PROBE_VOCAB);
        } catch (IllegalArgumentException e) {
          check.problem("innovations." + set.name() + ": at preset " + preset + ": " + e.getMessage());
        }
      }
      ModelConfig base;
      try {
        base = spec.model(size, spec.baselineSet()).resolve(PROBE_VOCAB);
      } catch (IllegalArgumentException e) {
        continue; // reported above
      }
      long parameters = FlopCounter.parameters(base);
      check.require(parameters > previous, "grid.presets[" + size + "]", preset + " (" + parameters
          + " parameters) is not larger than the preset before it: list sizes smallest first");
      previous = parameters;
      Integer block = spec.corpus() == null ? null : spec.corpus().blockSize();
      check.require(block == null || block <= base.contextLength() + 1, "data.*.block_size", "blocks of " + block
          + " tokens would be cut to " + preset + "'s context length + 1 (" + (base.contextLength() + 1) + ")");
    }
  }

  private TrainConfig lm(JsonNode node) {
    check.require(node == null || !node.has("seed"), "lm.seed", "the seeds are a grid axis: set grid.seeds");
    check.require(node == null || !node.has("objective"), "lm.objective", "a scaling run always trains lm");
    check.require(node == null || !node.has("lora"), "lm.lora", "scaling runs train whole models from scratch: "
        + "there is no base for adapters");
    TrainConfig lm = shared.trainSection(node, "lm", Set.of());
    if (lm == null) {
      return null;
    }
    int evaluations = lm.evalEvery() == 0 ? 1 : lm.steps() / lm.evalEvery();
    check.require(evaluations >= MIN_EVALUATIONS, "lm.eval_every", "gives " + evaluations + " evaluation(s) in "
        + lm.steps() + " steps; a CEG curve needs at least " + MIN_EVALUATIONS);
    check.require(lm.evalBatches() >= 1, "lm.eval_batches", "must be >= 1: the curves are evaluation losses");
    return lm.withObjective(ObjectiveKind.LM);
  }

  private CegOptions ceg(JsonNode node) {
    String at = "ceg";
    fields.onlyKeys(node, at, Set.of("smoothing", "reference_smoothing", "resamples", "bootstrap_seed",
        "confidence"));
    CegOptions defaults = CegOptions.defaults();
    Smoothing smoothing = smoothing(node, "smoothing", defaults.smoothing());
    Smoothing reference = smoothing(node, "reference_smoothing", defaults.referenceSmoothing());
    long resamples = fields.integer(node, at, "resamples", defaults.resamples(), 0);
    long seed = fields.integer(node, at, "bootstrap_seed", defaults.bootstrapSeed(), Long.MIN_VALUE);
    double confidence = fields.number(node, at, "confidence", defaults.confidence(), 0, 1);
    check.require(confidence > 0 && confidence < 1, at + ".confidence", "must be in (0, 1), got " + confidence);
    check.require(resamples <= 1_000_000, at + ".resamples", "must be at most 1000000, got " + resamples);
    return smoothing == null || reference == null || !(confidence > 0 && confidence < 1) || resamples > 1_000_000
        ? null : new CegOptions(smoothing, reference, (int) resamples, seed, confidence);
  }

  private Smoothing smoothing(JsonNode ceg, String key, Smoothing fallback) {
    JsonNode node = ceg == null ? null : ceg.get(key);
    if (node == null) {
      return fallback;
    }
    String at = "ceg." + key;
    fields.onlyKeys(node, at, Set.of("kind", "window"));
    String kind = fields.text(node, at, "kind", fallback.kind().name().toLowerCase(Locale.ROOT));
    long window = fields.integer(node, at, "window", fallback.window(), 1);
    Smoothing.Kind parsed = null;
    for (Smoothing.Kind k : Smoothing.Kind.values()) {
      parsed = k.name().toLowerCase(Locale.ROOT).equals(kind) ? k : parsed;
    }
    check.require(parsed != null, at + ".kind", "must be log_log_linear or trailing_mean, got '" + kind + "'");
    return parsed == null ? null : new Smoothing(parsed, (int) window);
  }
}
