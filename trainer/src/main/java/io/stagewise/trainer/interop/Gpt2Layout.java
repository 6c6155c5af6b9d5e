package io.stagewise.trainer.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.model.BlockSparsity;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelConfig.Mlp;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GPT2LMHeadModel} / {@code GPT2ForSequenceClassification}: LayerNorm, learned positions, multi-head
 * attention with a fused {@code c_attn} (queries, keys, values in that order, as Stagewise's {@code qkv}), a
 * dense GELU MLP, biases everywhere. GPT-2's linear layers are {@code Conv1D}, which store the weight as
 * [in, out], so every projection is written transposed. Stagewise's GELU is the exact (erf) one, which
 * {@code activation_function: gelu} selects; GPT-2's own {@code gelu_new} is the tanh approximation.
 */
final class Gpt2Layout implements HfLayout {

  private static final String PREFIX = "transformer.";
  private static final double EPS = 1e-5;

  @Override
  public String name() {
    return "gpt2";
  }

  @Override
  public List<String> refusals(ModelConfig config) {
    List<String> refusals = new ArrayList<>();
    if (config.norm() != Norm.LAYERNORM) {
      refusals.add("model.norm: " + config.norm().specName() + " (GPT-2 has LayerNorm in every block)");
    }
    if (config.position() != Position.LEARNED) {
      refusals.add("model.position: " + config.position().specName() + " (GPT-2 has learned positions)");
    }
    if (config.kvHeads() != config.heads()) {
      refusals.add("model.kv_heads: " + config.kvHeads() + " of " + config.heads()
          + " heads (GPT-2 has multi-head attention only)");
    }
    if (config.mlp() != Mlp.DENSE) {
      refusals.add("model.mlp: " + config.mlp().specName() + " (GPT-2 has a dense GELU MLP)");
    }
    HfLayout.refuseKernels(config, refusals);
    return refusals;
  }

  @Override
  public ObjectNode configJson(ModelConfig config, TokenRoles roles) {
    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("model_type", name());
    HfLayout.commonFields(json, config, "GPT2", roles);
    json.put("activation_function", "gelu");
    json.put("attn_pdrop", config.dropout());
    json.put("embd_pdrop", config.dropout());
    json.put("resid_pdrop", config.dropout());
    json.put("initializer_range", 0.02);
    json.put("layer_norm_epsilon", EPS);
    json.put("n_ctx", config.contextLength());
    json.put("n_embd", config.width());
    json.put("n_head", config.heads());
    json.put("n_inner", config.mlpHidden());
    json.put("n_layer", config.layers());
    json.put("n_positions", config.contextLength());
    json.put("reorder_and_upcast_attn", false);
    json.put("scale_attn_by_inverse_layer_idx", false);
    json.put("scale_attn_weights", true);
    json.put("use_cache", true);
    return json;
  }

  @Override
  public ModelConfig modelConfig(JsonNode configJson, String source) {
    ConfigJson json = new ConfigJson(configJson, source);
    Head head = HfLayout.head(json);
    int width = json.count("n_embd");
    json.require(json.text("activation_function", "gelu_new").equals("gelu"), "activation_function",
        "Stagewise's MLP computes the exact (erf) GELU, which is activation_function gelu");
    json.require(Math.abs(json.number("layer_norm_epsilon", EPS) - EPS) < 1e-12, "layer_norm_epsilon",
        "Stagewise's LayerNorm uses 1e-5");
    json.require(json.flag("scale_attn_weights", true), "scale_attn_weights", "Stagewise scales scores by 1/√d");
    json.require(!json.flag("scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx",
        "Stagewise does not scale scores by layer");
    int vocab = json.count("vocab_size");
    int context = json.count("n_positions");
    int layers = json.count("n_layer");
    int heads = json.count("n_head");
    int hidden = json.count("n_inner", 4 * width);
    float dropout = (float) json.number("resid_pdrop", 0.1);
    boolean tied = json.flag("tie_word_embeddings", true);
    json.validate();
    return HfLayout.config(source, () -> new ModelConfig(vocab, context, layers, heads, heads, width, hidden,
        Norm.LAYERNORM, Position.LEARNED, Attention.STANDARD, Mlp.DENSE, 0, 0, dropout, tied, head,
        ModelConfig.DEFAULT_ATTENTION_CHUNK, ModelConfig.DEFAULT_MOE_LOSS_WEIGHT, BlockSparsity.REFERENCE));
  }

  @Override
  public List<TensorMapping> tensors(ModelConfig config, JsonNode configJson) {
    List<TensorMapping> tensors = new ArrayList<>();
    tensors.add(TensorMapping.whole("wte.weight", PREFIX + "wte.weight"));
    tensors.add(TensorMapping.whole("wpe.weight", PREFIX + "wpe.weight"));
    for (int i = 0; i < config.layers(); i++) {
      String block = "blocks." + i + ".";
      String h = PREFIX + "h." + i + ".";
      norm(tensors, block + "norm1", h + "ln_1");
      projection(tensors, block + "attention.qkv", h + "attn.c_attn");
      projection(tensors, block + "attention.proj", h + "attn.c_proj");
      norm(tensors, block + "norm2", h + "ln_2");
      projection(tensors, block + "mlp.fc", h + "mlp.c_fc");
      projection(tensors, block + "mlp.proj", h + "mlp.c_proj");
    }
    norm(tensors, "final_norm", PREFIX + "ln_f");
    HfLayout.addHead(config, tensors);
    return tensors;
  }

  private static void norm(List<TensorMapping> tensors, String stagewise, String hf) {
    tensors.add(TensorMapping.whole(stagewise + ".weight", hf + ".weight"));
    tensors.add(TensorMapping.whole(stagewise + ".bias", hf + ".bias"));
  }

  private static void projection(List<TensorMapping> tensors, String stagewise, String hf) {
    tensors.add(TensorMapping.transposed(stagewise + ".weight", hf + ".weight"));
    tensors.add(TensorMapping.whole(stagewise + ".bias", hf + ".bias"));
  }
}
