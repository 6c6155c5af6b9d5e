package io.stagewise.sweep.plan;

import java.util.List;

/**
 * A sweep expanded: its distinct stages in an order where every parent precedes its children, and its runs.
 *
 * @param stages every distinct stage, parents first
 * @param runs every grid cell, in spec order (totals, alphas, seeds, presets)
 */
public record SweepPlan(List<StageNode> stages, List<PlannedRun> runs) {
  public SweepPlan {
    stages = List.copyOf(stages);
    runs = List.copyOf(runs);
  }

  /** How many stages of each kind the plan holds (logs, tests). */
  public long count(StageKind kind) {
    return stages.stream().filter(s -> s.kind() == kind).count();
  }
}
