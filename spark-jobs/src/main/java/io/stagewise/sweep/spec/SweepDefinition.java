package io.stagewise.sweep.spec;

import io.stagewise.data.spec.InputPaths;

/**
 * A validated sweep spec of any pipeline, as {@link SweepSpecReader#load} returns it: a budget-split sweep
 * ({@link SweepSpec}, {@code sft-dpo}) or a CEG scaling study ({@link ScalingSpec}, {@code scaling}).
 */
public sealed interface SweepDefinition permits SweepSpec, ScalingSpec {
  /** The sweep's name (report titles). */
  String name();

  /** Parallelism of the run (not part of any artifact key). */
  SweepSpec.Execution execution();

  /** The files and datasets the sweep reads, under their spec fields: checked before any stage runs. */
  InputPaths inputs();
}
