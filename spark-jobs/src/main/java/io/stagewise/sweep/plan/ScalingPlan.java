package io.stagewise.sweep.plan;

import java.util.List;

/**
 * A scaling sweep expanded: its distinct stages, parents first, and one planned run per preset × innovation set
 * × seed.
 *
 * @param stages every distinct stage (corpora, then pretraining runs)
 * @param runs every run, presets outermost, then innovation sets, then seeds, in spec order
 */
public record ScalingPlan(List<StageNode> stages, List<Run> runs) {
  public ScalingPlan {
    stages = List.copyOf(stages);
    runs = List.copyOf(runs);
  }

  /**
   * One pretraining run and where it sits in the study.
   *
   * @param size the preset
   * @param innovation the innovation set's name
   * @param seed the replicate
   * @param training its {@link StageKind#PRETRAIN} stage
   */
  public record Run(String size, String innovation, long seed, StageNode training) {}

  /** How many stages of each kind the plan holds (logs, tests). */
  public long count(StageKind kind) {
    return stages.stream().filter(s -> s.kind() == kind).count();
  }
}
