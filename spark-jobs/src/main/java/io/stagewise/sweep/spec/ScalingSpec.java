package io.stagewise.sweep.spec;

import io.stagewise.ceg.CegOptions;
import io.stagewise.data.spec.InputPaths;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.TrainConfig;
import java.util.List;

/**
 * A compute-equivalent-gain study (issue 6; DESIGN.md § Definitions: CEG), validated by
 * {@link ScalingSpecReader}: LM pretraining of every preset × innovation set × seed on one corpus, with the same
 * tokens, optimizer and schedule for every run of a size.
 *
 * @param name the sweep's name (report titles)
 * @param corpus the pretraining text and its held-out share
 * @param seeds replicate seeds (model initialisation and data order)
 * @param presets model sizes, smallest first (the order classes are judged in)
 * @param models one model per preset: the preset with the spec's {@code model} overrides
 * @param baseline the name of the baseline's innovation set
 * @param innovations every innovation set, the baseline's included, in spec order
 * @param tokenizer the corpus tokenizer
 * @param lm the training of every run (objective LM; each run sets its own seed)
 * @param ceg the analysis settings
 * @param execution parallelism (not part of any artifact's key)
 */
public record ScalingSpec(String name, ScalingCorpus corpus, List<Long> seeds, List<String> presets,
    List<ModelSpec> models, String baseline, List<InnovationSet> innovations, TokenizerSpec tokenizer,
    TrainConfig lm, CegOptions ceg, SweepSpec.Execution execution) implements SweepDefinition {

  public ScalingSpec {
    seeds = List.copyOf(seeds);
    presets = List.copyOf(presets);
    models = List.copyOf(models);
    innovations = List.copyOf(innovations);
  }

  /**
   * One named set of switches.
   *
   * @param name how results and plots call it
   * @param switches what it changes relative to the baseline
   */
  public record InnovationSet(String name, ModelSwitches switches) {}

  @Override
  public InputPaths inputs() {
    InputPaths paths = new InputPaths();
    if (corpus instanceof ScalingCorpus.TextFiles text) {
      paths.addAll("data.corpus.paths", text.paths());
    }
    return paths.add("tokenizer.path", tokenizer == null ? null : tokenizer.path());
  }

  /** The baseline's own set. */
  public InnovationSet baselineSet() {
    return innovations.stream().filter(i -> i.name().equals(baseline)).findFirst().orElseThrow();
  }

  /** The model a run of {@code innovation} trains at preset index {@code size}: baseline switches, then its own. */
  public ModelSpec model(int size, InnovationSet innovation) {
    return innovation.switches().over(baselineSet().switches().over(models.get(size)));
  }
}
