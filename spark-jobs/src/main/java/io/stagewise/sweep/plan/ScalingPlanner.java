package io.stagewise.sweep.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.sweep.spec.ScalingCorpus;
import io.stagewise.sweep.spec.ScalingSpec;
import io.stagewise.trainer.train.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Expands a {@link ScalingSpec} into its DAG:
 *
 * <pre>
 * corpus (text files | world text, block size) ── pretrain (preset, innovation set, seed)   × every cell
 * </pre>
 *
 * A corpus stage per distinct block size (one, unless the spec leaves the block size to each preset's context).
 * A run's key hashes its resolved model (preset, switches, overrides) and its training configuration with its
 * seed, not the innovation set's name: renaming a set or adding one reuses every finished run, and two sets that
 * build the same model train it once. The corpus's key knows its files and tokenizer by content
 * ({@link InputContent}).
 */
public final class ScalingPlanner {
  private final ScalingSpec spec;
  private final InputContent inputs;
  private final ObjectNode corpusContent;
  private final Map<String, StageNode> stages = new LinkedHashMap<>();

  private ScalingPlanner(ScalingSpec spec, InputContent inputs) {
    this.spec = spec;
    this.inputs = inputs;
    // Hashed once, however many block sizes cut the same files.
    corpusContent = SweepPlanner.JSON.createObjectNode();
    corpusContent.set("tokenizer", DataNodes.tokenizerIdentity(spec.tokenizer(), inputs));
    if (spec.corpus() instanceof ScalingCorpus.TextFiles files) {
      corpusContent.put("content", inputs.filesHash("data.corpus.paths", files.paths()));
    }
  }

  /** Plans with inputs read through a default Hadoop configuration (local files, tests). */
  public static ScalingPlan plan(ScalingSpec spec) {
    return plan(spec, InputContent.of(new Configuration()));
  }

  /** Plans {@code spec}, reading the content of its corpus files and tokenizer. */
  public static ScalingPlan plan(ScalingSpec spec, InputContent inputs) {
    return new ScalingPlanner(spec, inputs).expand();
  }

  private ScalingPlan expand() {
    List<ScalingPlan.Run> runs = new ArrayList<>();
    for (int size = 0; size < spec.presets().size(); size++) {
      String preset = spec.presets().get(size);
      for (ScalingSpec.InnovationSet set : spec.innovations()) {
        ModelSpec model = spec.model(size, set);
        StageNode corpus = add(corpus(blockSize(model)));
        for (long seed : spec.seeds()) {
          ObjectNode config = SweepPlanner.JSON.createObjectNode();
          config.set("model", SweepPlanner.modelJson(model));
          ObjectNode train = SweepPlanner.JSON.valueToTree(spec.lm().withSeed(seed));
          train.remove("intra_op_threads"); // speed, not results: outside the key
          config.set("train", train);
          StageNode run = add(StageNode.of(StageKind.PRETRAIN, "lm " + preset + " " + set.name() + " seed " + seed,
              config, config, Map.of(SweepPlanner.DATA, corpus), inputs.dataFormatVersion()));
          runs.add(new ScalingPlan.Run(preset, set.name(), seed, run));
        }
      }
    }
    return new ScalingPlan(List.copyOf(stages.values()), runs);
  }

  /** The spec's block size, or the model's context length + 1 (a full window of inputs and next tokens). */
  private int blockSize(ModelSpec model) {
    if (spec.corpus().blockSize() != null) {
      return spec.corpus().blockSize();
    }
    // The context length does not depend on the vocabulary; any size resolves it.
    return model.resolve(256).contextLength() + 1;
  }

  private StageNode corpus(int blockSize) {
    ObjectNode config = SweepPlanner.JSON.createObjectNode().put("block_size", blockSize)
        .put("test_fraction", spec.corpus().testFraction());
    config.set("tokenizer", ManifestCodec.mapper().valueToTree(spec.tokenizer()));
    String label;
    if (spec.corpus() instanceof ScalingCorpus.TextFiles files) {
      files.paths().forEach(config.putArray("paths")::add);
      label = "corpus " + files.paths().size() + " file(s)";
    } else {
      ScalingCorpus.WorldText world = (ScalingCorpus.WorldText) spec.corpus();
      config.putObject("world").put("seed", world.world().seed())
          .put("harmful_fraction", world.world().harmfulFraction())
          .put("held_out_fraction", world.world().heldOutFraction()).put("rows", world.rows());
      label = "corpus world text";
    }
    // The key knows the files and the tokenizer by content, not by location.
    ObjectNode identity = config.deepCopy();
    identity.remove("paths");
    identity.setAll(corpusContent.deepCopy());
    return StageNode.of(StageKind.CORPUS, label + ", blocks of " + blockSize, config, identity, Map.of(),
        inputs.dataFormatVersion());
  }

  private StageNode add(StageNode node) {
    return stages.computeIfAbsent(node.key(), k -> node);
  }
}
