package io.stagewise.sweep.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps that make a DAG's clean datasets and which step makes each one. The world and published datasets
 * are one step making every dataset. Imported sources are a step per role plus the cross-role hold-out
 * ({@link DataNodes#source}), so a stage reading one dataset depends on the step that made it and no other: a
 * changed preference file re-keys the preference side and the held-out harmful prompts, never the SFT side.
 *
 * @param steps every step, parents first
 * @param producers dataset name → the step that writes it; empty when {@code steps} is one step writing all
 */
public record SourceSteps(List<StageNode> steps, Map<String, StageNode> producers) {

  public SourceSteps {
    steps = List.copyOf(steps);
    producers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(producers));
  }

  /** One step making every dataset of the source. */
  static SourceSteps single(StageNode step) {
    return new SourceSteps(List.of(step), Map.of());
  }

  /** The step that writes dataset {@code name}; fails naming it when none does (a planning bug). */
  public StageNode producer(String name) {
    if (producers.isEmpty()) {
      return steps.get(0);
    }
    StageNode step = producers.get(name);
    if (step == null) {
      throw new IllegalStateException("no step of the source writes dataset '" + name + "'");
    }
    return step;
  }
}
