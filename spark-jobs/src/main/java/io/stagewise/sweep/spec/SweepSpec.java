package io.stagewise.sweep.spec;

import io.stagewise.data.build.AttackerTemplate;
import io.stagewise.data.spec.InputPaths;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import io.stagewise.trainer.train.ModelSpec;
import java.util.List;

/**
 * A budget-split sweep (DESIGN.md § Sweeps and results), validated by {@link SweepSpecReader}: the data, the
 * attackers, the grid and the settings of every stage. The driver expands it into a DAG of stages.
 *
 * @param name the sweep's name (report titles)
 * @param pipeline which post-training pipeline the grid runs
 * @param data where the clean datasets come from
 * @param attackers the attackers; those without a fixed budget take their stage's share of each grid split
 * @param grid the axes: totals × alphas × seeds × models
 * @param models one model per preset of the grid, with the spec's {@code model} overrides applied
 * @param tokenizer the tokenizer of every token dataset
 * @param truncation sequence limits of every token dataset
 * @param stages per-stage hyperparameters
 * @param execution parallelism (not part of any artifact's key)
 */
public record SweepSpec(
    String name,
    Pipeline pipeline,
    DataSource data,
    List<AttackerTemplate> attackers,
    SweepGrid grid,
    List<ModelSpec> models,
    TokenizerSpec tokenizer,
    TruncationPolicy truncation,
    StageSettings stages,
    Execution execution) implements SweepDefinition {

  public SweepSpec {
    attackers = List.copyOf(attackers);
    models = List.copyOf(models);
  }

  @Override
  public InputPaths inputs() {
    return data.inputs().add("tokenizer.path", tokenizer == null ? null : tokenizer.path());
  }

  /** The pipelines a sweep can run; {@code scaling} specs are read into a {@link ScalingSpec}. */
  public enum Pipeline {
    SFT_DPO("sft-dpo"),
    SFT_RM_PPO("sft-rm-ppo"),
    SCALING("scaling");

    private final String specName;

    Pipeline(String specName) {
      this.specName = specName;
    }

    public String specName() {
      return specName;
    }

    public static Pipeline fromName(String name) {
      for (Pipeline p : values()) {
        if (p.specName.equals(name)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown pipeline '" + name + "', expected one of "
          + java.util.Arrays.stream(values()).map(Pipeline::specName).toList());
    }
  }

  /**
   * How many stages run at once in this driver.
   *
   * @param dataSlots concurrent Spark data jobs submitted from the driver
   * @param trainingSlots concurrent training / evaluation runs (tasks on the cluster, or threads locally)
   * @param intraOpThreads engine threads per training run (0: engine default)
   */
  public record Execution(int dataSlots, int trainingSlots, int intraOpThreads) {
    public Execution {
      if (dataSlots < 1 || trainingSlots < 1 || intraOpThreads < 0) {
        throw new IllegalArgumentException("execution: data_slots and training_slots must be >= 1,"
            + " intra_op_threads >= 0");
      }
    }
  }
}
