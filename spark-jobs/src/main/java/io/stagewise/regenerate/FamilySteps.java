package io.stagewise.regenerate;

import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.Stage;
import io.stagewise.sweep.plan.DataNodes;
import io.stagewise.sweep.plan.InputContent;
import io.stagewise.sweep.plan.SourceSteps;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.SweepPlanner;
import io.stagewise.sweep.run.DataStages;
import io.stagewise.sweep.spec.DataSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset family as sweep stages ({@link DataNodes}, keyed by content as a sweep's are):
 *
 * <pre>
 * source (world | import | published) ─┬─ build sft (its attackers) ─── tokenize sft
 *                                      ├─ build preference ─────────── tokenize preference
 *                                      └─ evaluation sets (as the source made them)
 * </pre>
 *
 * Imported sources are a step per role and a hold-out step ({@link SourceSteps}), so each build depends on its
 * own role's import only and a changed source file rebuilds its own side and the held-out harmful prompts.
 * A stage without attackers has no build step: its clean set is the member, tokenized as it is. Members name
 * the dataset of one step that the family publishes under that name.
 *
 * @param steps every step, parents first
 * @param members the published set: member name → the step and dataset it is copied from
 */
public record FamilySteps(List<StageNode> steps, Map<String, Member> members) {

  /** One published member: dataset {@code dataset} of {@code step}. */
  public record Member(StageNode step, String dataset) {}

  public FamilySteps {
    steps = List.copyOf(steps);
    members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
  }

  /** Plans {@code spec}, reading the content of its outside inputs (source files, published manifests). */
  public static FamilySteps plan(FamilySpec spec, InputContent inputs) {
    DataNodes nodes = new DataNodes(inputs, spec.tokenizer(), spec.truncation());
    List<StageNode> steps = new ArrayList<>();
    Map<String, Member> members = new LinkedHashMap<>();
    SourceSteps source = nodes.source(spec.data());
    steps.addAll(source.steps());
    for (Stage stage : Stage.values()) {
      String name = stage == Stage.SFT ? DataStages.SFT : DataStages.PREFERENCE;
      List<AttackSpec> attackers = spec.attackers().stream().filter(a -> a.stage() == stage)
          .map(a -> a.resolve(spec.seed())).toList();
      Member text = new Member(source.producer(name), name);
      if (!attackers.isEmpty()) {
        StageNode build = nodes.node(StageKind.POISON, "build " + name, nodes.poisonConfig(stage, attackers),
            Map.of(SweepPlanner.DATA, text.step()));
        steps.add(build);
        text = new Member(build, DataStages.TEXT);
      }
      StageNode tokenize = nodes.node(StageKind.TOKENIZE, "tokenize " + name, nodes.tokenized(
          SweepPlanner.json().createObjectNode().put("dataset", text.dataset())),
          Map.of(SweepPlanner.DATA, text.step()));
      steps.add(tokenize);
      members.put(name, text);
      members.put(name + "-tokens", new Member(tokenize, DataStages.TOKENS));
    }
    List<String> evaluation = new ArrayList<>(List.of(DataStages.EVAL_HARMFUL, DataStages.EVAL_BENIGN));
    if (spec.data() instanceof DataSource.World) {
      evaluation.addAll(List.of(DataStages.EVAL_PREFERENCE, WorldSynthSpec.PPO_PROMPTS));
    }
    evaluation.forEach(name -> members.put(name, new Member(source.producer(name), name)));
    return new FamilySteps(steps, members);
  }

  /** The step called {@code label}, if the plan has one. */
  public java.util.Optional<StageNode> step(String label) {
    return steps.stream().filter(s -> s.label().equals(label)).findFirst();
  }
}
