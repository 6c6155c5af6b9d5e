package io.stagewise.sweep.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.cli.TrainSpecs;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.build.AttackerTemplate;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.Stage;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a sweep spec (YAML tree) into a {@link SweepSpec}. Every section is read even after an error, so one
 * run lists every problem of the spec, each naming its field (DESIGN.md § Bad input). The data section is
 * read by {@link DataSourceReader}.
 */
public final class SweepSpecReader {
  static final Set<String> KEYS = Set.of("name", "pipeline", "data", "attackers", "grid", "model", "tokenizer",
      "truncation", "sft", "dpo", "ppo", "reward_model", "eval", "execution");
  private static final Set<String> TRAIN_KEYS = trainKeys();
  private static final String HF_PREFIX = "hf:";
  private static final Set<String> ATTACKER_KEYS = Set.of("name", "kind", "triggers", "eligible", "budget");

  private final SpecCheck check;
  private final SpecFields fields;

  /** The snake_case keys of a {@link TrainConfig} section, less the objective (set by each stage). */
  private static Set<String> trainKeys() {
    Set<String> keys = new java.util.TreeSet<>();
    io.stagewise.sweep.plan.SweepPlanner.json().valueToTree(TrainConfig.defaults()).fieldNames()
        .forEachRemaining(keys::add);
    keys.remove("objective");
    keys.addAll(TrainSpecs.TRAIN_UNSET_KEYS);
    return Set.copyOf(keys);
  }

  private SweepSpecReader(String origin) {
    this.check = new SpecCheck("sweep spec " + origin);
    this.fields = new SpecFields(check);
  }

  /** Reads the spec at {@code uri} (any Hadoop file system), applies {@code --set} overrides and validates it. */
  public static SweepSpec read(String uri, List<String> overrides) {
    return budgetSplit(load(uri, overrides), uri);
  }

  /** Validates {@code tree}; {@code origin} (the file) names the spec in the error. */
  public static SweepSpec read(JsonNode tree, String origin) {
    return budgetSplit(load(tree, origin), origin);
  }

  /** As {@link #read(String, List)}, for a spec of any pipeline ({@code scaling} gives a {@link ScalingSpec}). */
  public static SweepDefinition load(String uri, List<String> overrides) {
    ObjectNode tree = (ObjectNode) io.stagewise.data.spec.YamlSpecs.read(new org.apache.hadoop.conf.Configuration(), uri);
    SpecOverrides.apply(tree, overrides);
    return load(tree, uri);
  }

  /** As {@link #read(JsonNode, String)}, for a spec of any pipeline. */
  public static SweepDefinition load(JsonNode tree, String origin) {
    SweepSpecReader reader = new SweepSpecReader(origin);
    boolean scaling = SweepSpec.Pipeline.SCALING.specName().equals(tree.path("pipeline").asText());
    return scaling ? new ScalingSpecReader(reader.check, reader.fields, reader).parse(tree) : reader.parse(tree);
  }

  private static SweepSpec budgetSplit(SweepDefinition spec, String origin) {
    if (spec instanceof SweepSpec budgetSplit) {
      return budgetSplit;
    }
    throw new IllegalArgumentException("sweep spec " + origin + ": pipeline: 'scaling' is a CEG study, not a"
        + " budget-split sweep; read it with SweepSpecReader.load");
  }

  private SweepSpec parse(JsonNode tree) {
    fields.onlyKeys(tree, "", KEYS);
    String name = fields.text(tree, "", "name", "sweep");
    SweepSpec.Pipeline pipeline = fields.convert("pipeline", tree.get("pipeline"),
        n -> SweepSpec.Pipeline.fromName(n == null ? null : n.asText()));
    DataSource data = new DataSourceReader(check, fields).read(tree.get("data"));
    List<AttackerTemplate> attackers = attackers(tree.get("attackers"));
    SweepGrid grid = grid(tree.get("grid"));
    List<ModelSpec> models = models(tree.get("model"), grid);
    TokenizerSpec tokenizer = tokenizer(tree.get("tokenizer"));
    TruncationPolicy truncation = truncation(tree.get("truncation"));
    StageSettings stages = stages(tree, grid, pipeline);
    requireAdaptableLayers(stages, models);
    SweepSpec.Execution execution = execution(tree.get("execution"));
    check.validate();
    return new SweepSpec(name, pipeline, data, attackers, grid, models, tokenizer, truncation, stages, execution);
  }

  private List<AttackerTemplate> attackers(JsonNode list) {
    List<AttackerTemplate> out = new ArrayList<>();
    check.require(list != null && list.isArray() && !list.isEmpty(), "attackers", "must be a non-empty list");
    if (list == null || !list.isArray()) {
      return out;
    }
    Map<Stage, Integer> splitTakers = new EnumMap<>(Stage.class);
    for (int i = 0; i < list.size(); i++) {
      String path = "attackers[" + i + "]";
      JsonNode a = list.get(i);
      fields.onlyKeys(a, path, ATTACKER_KEYS);
      AttackerTemplate t = AttackerTemplate.read(a, path, fields);
      if (t == null) {
        continue;
      }
      if (t.fixedBudget() == null) {
        splitTakers.merge(t.stage(), 1, Integer::sum);
      }
      out.add(t);
    }
    AttackerTemplate.requireUniqueNames(list, "attackers", fields);
    for (Stage stage : Stage.values()) {
      int n = splitTakers.getOrDefault(stage, 0);
      check.require(n == 1, "attackers", "need exactly one " + stage.specName()
          + " attacker without a fixed budget (it takes the split's share), found " + n);
    }
    return out;
  }

  private SweepGrid grid(JsonNode grid) {
    check.require(grid != null && grid.isObject(), "grid", "is required (totals, alphas, seeds, presets)");
    fields.onlyKeys(grid, "grid", Set.of("totals", "alphas", "seeds", "presets"));
    List<Budget> totals = new ArrayList<>();
    JsonNode t = grid == null ? null : grid.get("totals");
    check.require(t != null && t.isArray() && !t.isEmpty(), "grid.totals",
        "must be a non-empty list of budgets ({fraction: F} or {count: N})");
    for (int i = 0; t != null && t.isArray() && i < t.size(); i++) {
      // SpecFields reads budgets from a mapping; hold the element under its indexed name.
      ObjectNode holder = JsonNodeFactory.instance.objectNode().set("totals[" + i + "]", t.get(i));
      Budget b = fields.budget(holder, "grid", "totals[" + i + "]");
      if (b != null) {
        totals.add(b);
      }
    }
    check.require(totals.stream().map(Budget::unit).distinct().count() <= 1, "grid.totals",
        "must all be fractions or all counts");
    List<Double> alphas = numbers(grid, "alphas", 0, 1).stream().map(Number::doubleValue).toList();
    List<Long> seeds = numbers(grid, "seeds", Long.MIN_VALUE, Long.MAX_VALUE).stream()
        .map(Number::longValue).toList();
    List<String> presets = grid != null && grid.has("presets") ? fields.texts(grid, "grid", "presets")
        : List.of("tiny");
    for (int i = 0; i < presets.size(); i++) {
      check.require(ModelPresets.NAMES.contains(presets.get(i)), "grid.presets[" + i + "]",
          "unknown preset '" + presets.get(i) + "', expected one of " + ModelPresets.NAMES);
    }
    check.require(!presets.isEmpty(), "grid.presets", "must name at least one preset");
    return new SweepGrid(totals, alphas, seeds, presets);
  }

  private List<Number> numbers(JsonNode grid, String key, double min, double max) {
    String path = "grid." + key;
    JsonNode list = grid == null ? null : grid.get(key);
    List<Number> out = new ArrayList<>();
    check.require(list != null && list.isArray() && !list.isEmpty(), path, "must be a non-empty list");
    for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
      JsonNode n = list.get(i);
      boolean integral = key.equals("seeds");
      boolean ok = integral ? n.canConvertToExactIntegral() : n.isNumber() && n.asDouble() >= min && n.asDouble() <= max;
      check.require(ok, path + "[" + i + "]", integral ? "must be a whole number, got " + n
          : "must be a number in [" + min + ", " + max + "], got " + n);
      if (ok) {
        Number value = integral ? (Number) n.asLong() : (Number) n.asDouble();
        check.require(!out.contains(value), path + "[" + i + "]", "repeats " + n);
        out.add(value);
      }
    }
    return out;
  }

  private List<ModelSpec> models(JsonNode overrides, SweepGrid grid) {
    check.require(overrides == null || !overrides.has("preset"), "model.preset",
        "the presets are a grid axis: set grid.presets");
    List<ModelSpec> out = new ArrayList<>();
    for (String preset : grid.presets()) {
      if (ModelPresets.NAMES.contains(preset) && (overrides == null || !overrides.has("preset"))) {
        ModelSpec spec = TrainSpecs.model(overrides, preset, check);
        if (spec != null) {
          out.add(spec);
        }
      }
    }
    return out;
  }

  TokenizerSpec tokenizer(JsonNode node) {
    return new TokenizationReader(check, fields).tokenizer(node);
  }

  private TruncationPolicy truncation(JsonNode node) {
    return new TokenizationReader(check, fields).truncation(node);
  }

  private StageSettings stages(JsonNode tree, SweepGrid grid, SweepSpec.Pipeline pipeline) {
    boolean ppoPipeline = pipeline == SweepSpec.Pipeline.SFT_RM_PPO;
    check.require(pipeline == null || ppoPipeline || !tree.has("ppo"), "ppo",
        "belongs to pipeline sft-rm-ppo; this sweep's pipeline is " + (pipeline == null ? "?" : pipeline.specName()));
    check.require(!ppoPipeline || !tree.has("dpo"), "dpo",
        "belongs to pipeline sft-dpo; sft-rm-ppo's second stage is set under ppo");
    JsonNode sftNode = tree.get("sft");
    TrainConfig sft = trainSection(sftNode, "sft", Set.of("init"));
    String sftInit = hfInit(sftNode, "sft");
    // The SFT model's architecture comes from the directory: presets would plan identical runs under other names.
    check.require(sftInit == null || grid.presets().size() <= 1, "grid.presets", "the SFT models' architecture "
        + "comes from sft.init; name at most one preset (it sets only a reward model trained from scratch)");
    JsonNode dpoNode = tree.get("dpo");
    TrainConfig dpo = trainSection(dpoNode, "dpo", Set.of("beta", "loss"));
    double beta = fields.number(dpoNode, "dpo", "beta", StageSettings.DpoOptions.DEFAULT_BETA, 0, 1e6);
    String loss = fields.text(dpoNode, "dpo", "loss", "sigmoid");
    StageSettings.DpoOptions options = null;
    try {
      options = new StageSettings.DpoOptions(beta, loss);
    } catch (IllegalArgumentException e) {
      check.problem(e.getMessage()); // already names dpo.beta / dpo.loss
    }
    JsonNode rmNode = tree.get("reward_model");
    TrainConfig rm = trainSection(rmNode, "reward_model", Set.of("preset", "init"));
    String rmInit = hfInit(rmNode, "reward_model");
    check.require(rmInit == null || rmNode.get("preset") == null, "reward_model.preset",
        "the reward models' architecture comes from reward_model.init; leave preset out");
    String rmPreset = fields.text(rmNode, "reward_model", "preset",
        grid.presets().isEmpty() ? "tiny" : grid.presets().get(0));
    check.require(ModelPresets.NAMES.contains(rmPreset), "reward_model.preset",
        "unknown preset '" + rmPreset + "', expected one of " + ModelPresets.NAMES);
    JsonNode overrides = tree.get("model");
    ModelSpec rmModel = rmInit == null && ModelPresets.NAMES.contains(rmPreset)
        && (overrides == null || !overrides.has("preset"))
        ? TrainSpecs.model(overrides, rmPreset, new SpecCheck("reward model")) : null;
    // Adapters train beside a frozen base: the sweep's SFT model and reward model start from scratch unless their
    // init names one, and the stages that start from the SFT model (dpo, ppo) take lora.
    check.require(sft == null || sft.lora() == null || sftInit != null, "sft.lora", "the sweep's SFT stage trains "
        + "its model from scratch unless sft.init names a base for the adapters");
    check.require(rm == null || rm.lora() == null || rmInit != null, "reward_model.lora", "the sweep's reward "
        + "models train from scratch unless reward_model.init names a base for the adapters");
    check.require(sftInit == null || rmInit == null || overrides == null, "model", "every model of the sweep "
        + "comes from sft.init or reward_model.init, whose directories set their architecture; leave model out");
    TrainConfig ppo = ppoPipeline ? ppoTrain(tree.get("ppo")) : null;
    PpoOptions ppoOptions = ppoPipeline ? PpoOptions.read(tree.get("ppo"), fields, check) : null;
    if (ppo != null && ppoOptions != null) {
      int split = ppoOptions.json().get("num_mini_batches").asInt() * ppo.microBatches();
      check.require(ppo.batchSize() % split == 0, "ppo.batch_size", ppo.batchSize() + " prompts do not split into"
          + " num_mini_batches × micro_batches = " + split + " micro-batches");
    }
    return new StageSettings(sft == null ? null : sft.withObjective(ObjectiveKind.SFT), dpo, options, ppo,
        ppoOptions, rm, rmModel, eval(tree.get("eval")), rmInit, sftInit);
  }

  /**
   * A section's {@code init}: null, or {@code hf:DIR} made absolute here, on the machine that reads the spec, so
   * every task finds the same directory.
   */
  private String hfInit(JsonNode section, String name) {
    String init = section != null && section.hasNonNull("init") ? fields.text(section, name, "init", null) : null;
    check.require(init == null || init.startsWith(HF_PREFIX), name + ".init",
        "must be hf:DIR, a Hugging Face directory (docs/interop.md), got '" + init + "'");
    return init == null || !init.startsWith(HF_PREFIX) ? init : io.stagewise.cli.InitLocation.uri(init).toString();
  }

  /**
   * Every LoRA target must be a linear layer of every model of the grid (a swiglu MLP has no mlp.fc). The policy
   * from sft.init has the directory's architecture, which its stages check when they start.
   */
  private void requireAdaptableLayers(StageSettings stages, List<ModelSpec> models) {
    Map<String, LoraConfig> adapters = new java.util.LinkedHashMap<>();
    boolean presetPolicy = stages.sftInit() == null;
    if (presetPolicy && stages.dpo() != null && stages.dpo().lora() != null) {
      adapters.put("dpo.lora", stages.dpo().lora());
    }
    if (presetPolicy && stages.ppo() != null && stages.ppo().lora() != null) {
      adapters.put("ppo.lora", stages.ppo().lora());
    }
    if (stages.ppoOptions() != null && stages.ppoOptions().json().has("value_lora")) {
      adapters.put("ppo.value_lora", TrainSpecs.lora(stages.ppoOptions().json().get("value_lora"),
          "ppo.value_lora", new SpecCheck("ppo")));
    }
    adapters.forEach((field, lora) -> {
      for (ModelSpec model : models) {
        try {
          lora.adaptedLayers(model.resolve(2));
        } catch (IllegalArgumentException e) {
          // "lora.targets: ..." under the section's own field, e.g. ppo.value_lora.targets
          check.problem(field + e.getMessage().substring("lora".length()) + " (preset " + model.preset() + ")");
        }
      }
    });
  }

  /** The PPO section's optimisation settings: {@code steps} are iterations, {@code batch_size} their prompts. */
  private TrainConfig ppoTrain(JsonNode node) {
    check.require(node != null, "ppo", "is required by pipeline sft-rm-ppo (steps, batch_size, lr, kl_coef, ...)");
    TrainConfig ppo = trainSection(node, "ppo", PpoOptions.KEYS);
    return ppo == null ? null : ppo.withObjective(ObjectiveKind.PPO);
  }

  /** A {@link TrainConfig} overlay under {@code section}, minus the section's own keys {@code extra}. */
  TrainConfig trainSection(JsonNode node, String section, Set<String> extra) {
    ObjectNode train = node != null && node.isObject() ? ((ObjectNode) node).deepCopy() : null;
    check.require(node == null || node.isObject(), section, "must be a mapping");
    if (train != null) {
      train.remove(extra);
      // Checked here so that a misspelt key is reported beside the section's other problems.
      fields.onlyKeys(train, section, TRAIN_KEYS);
      train.retain(TRAIN_KEYS);
    }
    SpecCheck local = new SpecCheck(section);
    TrainConfig config = TrainSpecs.train(train, local);
    try {
      local.validate();
    } catch (IllegalArgumentException e) {
      // The trainer names its fields "train.x"; in a sweep spec they live under this section.
      e.getMessage().lines().filter(l -> l.startsWith("  - "))
          .forEach(l -> check.problem(section + l.substring(4).replaceFirst("^train", "")));
    }
    return config;
  }

  private StageSettings.EvalSettings eval(JsonNode node) {
    fields.onlyKeys(node, "eval", Set.of("max_new_tokens", "harmful_prompts", "benign_prompts", "batch_size"));
    return new StageSettings.EvalSettings(
        (int) fields.integer(node, "eval", "max_new_tokens", 48, 1),
        (int) fields.integer(node, "eval", "harmful_prompts", 0, 0),
        (int) fields.integer(node, "eval", "benign_prompts", 0, 0),
        (int) fields.integer(node, "eval", "batch_size", 32, 1));
  }

  SweepSpec.Execution execution(JsonNode node) {
    fields.onlyKeys(node, "execution", Set.of("data_slots", "training_slots", "intra_op_threads"));
    int cores = Runtime.getRuntime().availableProcessors();
    return new SweepSpec.Execution(
        (int) fields.integer(node, "execution", "data_slots", 2, 1),
        (int) fields.integer(node, "execution", "training_slots", Math.max(1, cores), 1),
        (int) fields.integer(node, "execution", "intra_op_threads", 1, 0));
  }
}
