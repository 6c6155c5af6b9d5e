package io.stagewise.trainer.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Head;
import java.util.List;
import java.util.Locale;

/**
 * One Hugging Face model family Stagewise models can be written as and read from: which configurations it
 * expresses, its {@code config.json}, and where each of its tensors lives in a Stagewise model.
 */
public interface HfLayout {

  /** Every layout, in the order an export without {@code --layout} tries them. */
  List<HfLayout> ALL = List.of(new Gpt2Layout(), new LlamaLayout());

  /** {@code gpt2} or {@code llama}: the {@code model_type} of its config and the CLI's name. */
  String name();

  /**
   * Why the layout cannot hold a model of {@code config}, one reason per switch, each naming the switch
   * ({@code model.norm: none ...}); empty when it can.
   */
  List<String> refusals(ModelConfig config);

  /** {@code config.json} for a model of {@code config}, which {@link #refusals} accepts. */
  ObjectNode configJson(ModelConfig config, TokenRoles roles);

  /** The model configuration a {@code config.json} of this layout describes; refuses what Stagewise cannot compute. */
  ModelConfig modelConfig(JsonNode configJson, String source);

  /** Every tensor of the file and its place in the model, for the model and file {@code configJson} describes. */
  List<TensorMapping> tensors(ModelConfig config, JsonNode configJson);

  /** The layout named {@code name}, for the CLI. */
  static HfLayout named(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    return ALL.stream().filter(l -> l.name().equals(wanted)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("--layout: unknown layout '" + name + "', expected gpt2 or llama"));
  }

  /** The layout of a {@code config.json}, by its {@code model_type}. */
  static HfLayout of(JsonNode configJson, String source) {
    String type = configJson.path("model_type").asText("");
    return ALL.stream().filter(l -> l.name().equals(type)).findFirst().orElseThrow(() ->
        new IllegalArgumentException(source + ": model_type '" + type + "' is not a layout Stagewise reads"
            + " (gpt2, llama)"));
  }

  /** Refusals every layout shares: attention kernels that are other functions. */
  static void refuseKernels(ModelConfig config, List<String> refusals) {
    if (config.attention() == Attention.SPARSE) {
      refusals.add("model.attention: sparse (block-sparse attention is another function than the full causal"
          + " attention of Hugging Face's layouts)");
    }
  }

  /** The fields every layout's {@code config.json} carries: architecture, head, vocabulary, ids, dtype. */
  static void commonFields(ObjectNode json, ModelConfig config, String family, TokenRoles roles) {
    boolean scalar = config.head() == Head.SCALAR;
    json.putArray("architectures").add(family + (scalar ? "ForSequenceClassification" : lmSuffix(family)));
    if (scalar) {
      // One label: the score is a regression output, as TRL's reward and value models are written.
      json.putObject("id2label").put("0", "LABEL_0");
      json.putObject("label2id").put("LABEL_0", 0);
    }
    putId(json, "bos_token_id", roles.bos());
    putId(json, "eos_token_id", roles.eos());
    putId(json, "pad_token_id", roles.pad());
    json.put("tie_word_embeddings", config.tiedEmbeddings());
    json.put("torch_dtype", "float32");
    json.put("vocab_size", config.vocabSize());
  }

  /** The head's tensor: the classifier's {@code score}, or an untied LM head (a tied one is the embedding). */
  static void addHead(ModelConfig config, List<TensorMapping> tensors) {
    if (config.head() == Head.SCALAR) {
      tensors.add(TensorMapping.whole("value_head.weight", "score.weight"));
    } else if (!config.tiedEmbeddings()) {
      tensors.add(TensorMapping.whole("lm_head.weight", "lm_head.weight"));
    }
  }

  /** The head a {@code config.json}'s {@code architectures} names. */
  static Head head(ConfigJson json) {
    String architecture = json.root().path("architectures").path(0).asText("");
    boolean scalar = architecture.endsWith("ForSequenceClassification");
    if (scalar) {
      JsonNode labels = json.root().get("id2label");
      int count = labels != null && labels.isObject() ? labels.size() : json.count("num_labels", 2);
      json.require(count == 1, "id2label", "a scalar head has one label, this config has " + count);
    }
    return scalar ? Head.SCALAR : Head.LM;
  }

  /** Builds the configuration, naming the file when the values do not make a valid model. */
  static ModelConfig config(String source, java.util.function.Supplier<ModelConfig> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static String lmSuffix(String family) {
    return family.equals("GPT2") ? "LMHeadModel" : "ForCausalLM";
  }

  private static void putId(ObjectNode json, String field, Integer id) {
    if (id == null) {
      json.putNull(field);
    } else {
      json.put(field, id);
    }
  }
}
