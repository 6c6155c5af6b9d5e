package io.stagewise.sweep.spec;

/**
 * A validated sweep spec of any pipeline, as {@link SweepSpecReader#load} returns it: a budget-split sweep
 * ({@link SweepSpec}, {@code sft-dpo}) or a CEG scaling study ({@link ScalingSpec}, {@code scaling}).
 */
public sealed interface SweepDefinition permits SweepSpec, ScalingSpec {
  /** The sweep's name (report titles). */
  String name();

  /** Parallelism of the run (not part of any artifact key). */
  SweepSpec.Execution execution();
}
