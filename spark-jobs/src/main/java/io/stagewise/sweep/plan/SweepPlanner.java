package io.stagewise.sweep.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.build.AttackerTemplate;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.BudgetSplit;
import io.stagewise.poison.attack.Stage;
import io.stagewise.sweep.spec.SweepSpec;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Expands a budget-split {@link SweepSpec} into its DAG. This class plans what every pipeline shares; the
 * pipeline's own stages after SFT are its {@link PolicyStagePlan} ({@link DpoPlan}, {@link RmPpoPlan}):
 *
 * <pre>
 * data (world | import | published) ─┬─ poison sft (budget, seed) ── sft (seed, preset) ─┐
 *                                    ├─ poison preference (budget, seed) ─── [pipeline: dpo | rm → ppo] ── evaluate
 *                                    └─ tokenize clean preference ── clean reward model ────────────────────┘
 * </pre>
 *
 * Poisoned sets depend on a stage's own budget only, not on the (total, alpha) that produced it, so splits
 * with the same SFT budget share one SFT set and one SFT model. A zero budget poisons nothing whatever the
 * seed, so its seed is left out of the key and every replicate shares the clean set.
 */
public final class SweepPlanner {
  /** Parent roles. */
  public static final String DATA = "data";
  public static final String POLICY = "policy";
  public static final String REWARD_MODEL = "reward_model";
  /** The published stage's config field holding each dataset's planned manifest fingerprint, by role. */
  public static final String FINGERPRINTS = "fingerprints";
  /** An evaluation's benign prompts, when a step other than its {@link #DATA} parent writes them (imports). */
  public static final String EVAL_BENIGN = "eval_benign";
  /** A DPO stage's held-out pairs (the synthetic world's, when the DPO settings ask for evaluation). */
  public static final String HELD_OUT = "held_out";
  /** A reward model's held-out pairs with the evaluation's i-th trigger appended: the role's prefix (then i). */
  public static final String HELD_OUT_TRIGGERED = "held_out_triggered_";
  /** An evaluation's config field with the (SFT trigger, preference trigger) pairs it also appends together. */
  public static final String TRIGGER_PAIRS = "trigger_pairs";
  /** How a result row names the condition with both triggers of a pair. */
  public static String pairLabel(String sftTrigger, String preferenceTrigger) {
    return sftTrigger + " + " + preferenceTrigger;
  }

  static final ObjectMapper JSON = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  /** The snake_case JSON mapping of the trainer's records, as stage configs hold them. */
  public static ObjectMapper json() {
    return JSON;
  }

  private final SweepSpec spec;
  private final DataNodes dataNodes;
  private final PolicyStagePlan pipeline;
  private final Map<String, StageNode> stages = new LinkedHashMap<>();

  private SweepPlanner(SweepSpec spec, InputContent inputs) {
    this.spec = spec;
    this.dataNodes = new DataNodes(inputs, spec.tokenizer(), spec.truncation());
    this.pipeline = PolicyStagePlan.of(spec);
  }

  /** Plans with inputs read through a default Hadoop configuration (local files, tests). */
  public static SweepPlan plan(SweepSpec spec) {
    return plan(spec, InputContent.of(new Configuration()));
  }

  /** Plans {@code spec}, reading the content of its outside inputs (manifests, tokenizer, import sources). */
  public static SweepPlan plan(SweepSpec spec, InputContent inputs) {
    return new SweepPlanner(spec, inputs).expand();
  }

  private SweepPlan expand() {
    SourceSteps data = dataNodes.source(spec.data());
    data.steps().forEach(this::add);
    StageNode cleanPairs = add(node(StageKind.TOKENIZE, "clean preference",
        tokenizerJson(object().put("dataset", "preference")), Map.of(DATA, data.producer("preference"))));
    StageNode rewardModel = add(node(StageKind.REWARD_MODEL, "clean reward model",
        rewardModelJson(spec.stages().rewardModel()),
        Map.of(DATA, cleanPairs)));
    pipeline.prepare(this, data);
    List<PlannedRun> runs = new ArrayList<>();
    for (BudgetSplit split : spec.grid().splits()) {
      for (long seed : spec.grid().seeds()) {
        for (ModelSpec model : spec.models()) {
          runs.add(run(split, seed, model, data, rewardModel));
        }
      }
    }
    return new SweepPlan(List.copyOf(stages.values()), runs);
  }

  private PlannedRun run(BudgetSplit split, long seed, ModelSpec model, SourceSteps data, StageNode rewardModel) {
    List<AttackSpec> sftAttackers = resolve(Stage.SFT, split, seed);
    List<AttackSpec> preferenceAttackers = resolve(Stage.PREFERENCE, split, seed);
    StageNode sftData = add(poison(Stage.SFT, sftAttackers, data.producer("sft")));
    StageNode preferenceData = add(poison(Stage.PREFERENCE, preferenceAttackers, data.producer("preference")));
    StageNode sft = add(node(StageKind.SFT, "sft " + budgetLabel(sftAttackers) + " seed " + seed
        + " " + model.preset(), sftJson(model, seed), Map.of(DATA, sftData)));
    String cell = "total " + split.total().value().toPlainString() + " alpha " + split.alpha() + " seed " + seed
        + " " + model.preset();
    PolicyStagePlan.Planned planned = pipeline.plan(this,
        new PolicyStagePlan.Run(split, seed, sft, preferenceData, cell));
    List<String> triggers = triggers();
    ObjectNode evalConfig = tokenizerJson(spec.stages().eval().toJson(object()));
    ArrayNode triggerList = evalConfig.putArray("triggers");
    triggers.forEach(triggerList::add);
    List<List<String>> pairs = independentTriggerPairs();
    if (!pairs.isEmpty()) {
      // Only independent attackers add the fourth condition, so colluding sweeps keep their keys.
      ArrayNode pairList = evalConfig.putArray(TRIGGER_PAIRS);
      pairs.forEach(pair -> pair.forEach(pairList.addArray()::add));
    }
    StageNode evaluation = add(node(StageKind.EVALUATE, "evaluate " + cell, evalConfig,
        evaluationParents(planned.policy(), rewardModel, data)));
    RunCoordinates at = new RunCoordinates(split.total().unit().name().toLowerCase(java.util.Locale.ROOT),
        split.total().value().doubleValue(), split.alpha(), split.sftBudget().value().doubleValue(),
        split.preferenceBudget().value().doubleValue(), seed, model.preset());
    return new PlannedRun(at, pipeline.policyName(), evaluation, sftData, preferenceData,
        planned.attackedRewardModel(), triggers);
  }

  /**
   * An evaluation reads its harmful and benign prompts from its {@link #DATA} parent, and the benign ones from
   * an {@link #EVAL_BENIGN} parent when another step writes them (imports), so world and published sweeps keep
   * their keys.
   */
  private static Map<String, StageNode> evaluationParents(StageNode policy, StageNode rewardModel,
      SourceSteps data) {
    Map<String, StageNode> parents = new LinkedHashMap<>(Map.of(POLICY, policy, REWARD_MODEL, rewardModel,
        DATA, data.producer("eval-harmful")));
    if (data.producer("eval-benign") != data.producer("eval-harmful")) {
      parents.put(EVAL_BENIGN, data.producer("eval-benign"));
    }
    return parents;
  }

  /** The world's held-out preference pairs, tokenized; with {@code trigger} appended to every prompt when not null. */
  StageNode heldOutPairs(StageNode data, String trigger) {
    ObjectNode config = object().put("dataset", "eval-preference");
    if (trigger != null) {
      config.put("trigger", trigger);
    }
    return add(node(StageKind.TOKENIZE, "held-out preference" + (trigger == null ? "" : " + " + trigger),
        tokenizerJson(config), Map.of(DATA, data)));
  }

  SweepSpec spec() {
    return spec;
  }

  private List<AttackSpec> resolve(Stage stage, BudgetSplit split, long seed) {
    return spec.attackers().stream().filter(a -> a.stage() == stage).map(a -> a.resolve(split, seed)).toList();
  }

  private StageNode poison(Stage stage, List<AttackSpec> attackers, StageNode data) {
    return node(StageKind.POISON, "poison " + stage.specName() + " " + budgetLabel(attackers)
        + (attackers.stream().allMatch(a -> a.budget().value().signum() == 0) ? "" : " seed " + attackers.get(0).seed()),
        tokenizerJson(dataNodes.poisonConfig(stage, attackers)), Map.of(DATA, data));
  }

  /** A stage keyed by its config with the tokenizer's location replaced by its content. */
  StageNode node(StageKind kind, String label, ObjectNode config, Map<String, StageNode> parents) {
    return dataNodes.node(kind, label, config, parents);
  }

  /**
   * A model spec as stage keys hash it. The {@code mlp} switch is left out while unset, so the keys of every
   * spec written before it existed stay the same.
   */
  static ObjectNode modelJson(ModelSpec model) {
    ObjectNode json = JSON.valueToTree(model);
    if (model.mlp() == null) {
      json.remove("mlp");
    }
    return json;
  }

  /** A training stage's config: its model (none when it starts from a parent's checkpoint) and train settings. */
  ObjectNode trainJson(ModelSpec model, JsonNode train) {
    ObjectNode config = object();
    if (model != null) {
      config.set("model", modelJson(model));
    }
    config.set("train", train);
    // Threads change speed, not results; they stay out of the key.
    ((ObjectNode) config.get("train")).remove("intra_op_threads");
    return config;
  }

  /**
   * An SFT model's config: its model and train settings, or with {@code sft.init} the Hugging Face directory it
   * starts from instead of a model (its key knows the directory by content, {@link DataNodes#node}).
   */
  private ObjectNode sftJson(ModelSpec model, long seed) {
    String init = spec.stages().sftInit();
    ObjectNode config = trainJson(init == null ? model : null, JSON.valueToTree(spec.stages().sft().withSeed(seed)));
    if (init != null) {
      config.put(DataNodes.INIT, init);
    }
    return config;
  }

  /**
   * A reward model's config: its model and train settings, or with {@code reward_model.init} the Hugging Face
   * directory it starts from instead of a model (its key knows the directory by content, {@link DataNodes#node}).
   */
  ObjectNode rewardModelJson(TrainConfig train) {
    ObjectNode config = trainJson(spec.stages().rewardModelSpec(), JSON.valueToTree(train));
    if (spec.stages().rewardModelInit() != null) {
      config.put(DataNodes.INIT, spec.stages().rewardModelInit());
    }
    return config;
  }

  private ObjectNode tokenizerJson(ObjectNode config) {
    return dataNodes.tokenized(config);
  }

  /**
   * With independent attackers (the SFT and preference attackers' triggers disjoint), every (SFT trigger,
   * preference trigger) pair: the evaluation's "both triggers" condition appends the two in that order.
   */
  private List<List<String>> independentTriggerPairs() {
    List<String> sft = stageTriggers(Stage.SFT);
    List<String> preference = stageTriggers(Stage.PREFERENCE);
    if (sft.stream().anyMatch(preference::contains)) {
      return List.of();
    }
    List<List<String>> pairs = new ArrayList<>();
    sft.forEach(s -> preference.forEach(p -> pairs.add(List.of(s, p))));
    return pairs;
  }

  private List<String> stageTriggers(Stage stage) {
    return spec.attackers().stream().filter(a -> a.stage() == stage).flatMap(a -> a.triggers().stream())
        .distinct().toList();
  }

  /** Every attacker's triggers, each once, in spec order: what the evaluation appends. */
  List<String> triggers() {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    spec.attackers().stream().map(AttackerTemplate::triggers).forEach(out::addAll);
    return List.copyOf(out);
  }

  StageNode add(StageNode node) {
    return stages.computeIfAbsent(node.key(), k -> node);
  }

  private static String budgetLabel(List<AttackSpec> attackers) {
    return attackers.stream().map(a -> a.budget().value().toPlainString()).reduce((x, y) -> x + "+" + y).orElse("0");
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }
}
