package io.stagewise.trainer.train;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;

/**
 * Where a run's first parameters come from instead of the seeded initialisation: a Stagewise checkpoint or, as
 * {@code hf:PATH}, a Hugging Face directory ({@link ModelCheckpoint}). The source must hold the run's own
 * architecture: every field that changes the parameters or the function is compared, and each difference is
 * named by its spec field.
 */
public final class InitialWeights {

  private InitialWeights() {
  }

  /** The fields in which {@code source} differs from the run's {@code run} model, e.g. {@code model.norm: ...}. */
  public static List<String> mismatches(ModelConfig run, ModelConfig source) {
    List<String> problems = new ArrayList<>();
    differ(problems, "vocab_size (the data's)", run, source, ModelConfig::vocabSize);
    differ(problems, "context_length", run, source, ModelConfig::contextLength);
    differ(problems, "layers", run, source, ModelConfig::layers);
    differ(problems, "heads", run, source, ModelConfig::heads);
    differ(problems, "kv_heads", run, source, ModelConfig::kvHeads);
    differ(problems, "width", run, source, ModelConfig::width);
    differ(problems, "mlp_hidden", run, source, ModelConfig::mlpHidden);
    differ(problems, "norm", run, source, c -> c.norm().specName());
    differ(problems, "position", run, source, c -> c.position().specName());
    differ(problems, "mlp", run, source, c -> c.mlp().specName());
    differ(problems, "experts", run, source, ModelConfig::experts);
    differ(problems, "top_k", run, source, ModelConfig::topK);
    differ(problems, "tied_embeddings", run, source, ModelConfig::tiedEmbeddings);
    differ(problems, "head", run, source, c -> c.head().specName());
    return problems;
  }

  /** Fails, naming every differing field, unless the model at {@code init} has the run's architecture. */
  public static ModelCheckpoint require(URI init, ModelConfig run, Configuration conf) {
    ModelCheckpoint source = ModelCheckpoint.at(init, conf);
    List<String> problems = mismatches(run, source.config());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("init: " + init + " holds another model than the run's: "
          + String.join("; ", problems));
    }
    return source;
  }

  /**
   * Copies the weights at {@code init} into {@code model}, after {@link #require}'s check. A LoRA model takes them
   * as its frozen base (its adapters keep their fresh start) and records where they came from.
   */
  public static void load(URI init, GptModel model, NDManager manager, Configuration conf) {
    ModelCheckpoint source = require(init, model.config(), conf);
    try (NDManager scratch = manager.newSubManager()) {
      List<String> untouched = model.copyParametersFrom(source.load(scratch)).stream()
          .filter(name -> !model.isAdapterParameter(name)).toList();
      if (!untouched.isEmpty()) {
        throw new IllegalArgumentException("init: " + init + " lacks parameters " + untouched);
      }
    }
    if (model.lora() != null) {
      model.recordBase(source.location());
    }
  }

  private static void differ(List<String> problems, String field, ModelConfig run, ModelConfig source,
      Function<ModelConfig, Object> value) {
    if (!Objects.equals(value.apply(run), value.apply(source))) {
      problems.add("model." + field + " is " + value.apply(source) + " there, " + value.apply(run) + " in the run");
    }
  }
}
