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
 * {@code LlamaForCausalLM} / {@code LlamaForSequenceClassification}: RMSNorm, rotary positions, grouped-query
 * attention with separate q/k/v projections (rows of Stagewise's fused {@code qkv}), a SwiGLU MLP. Stagewise's
 * RoPE is the half-split ("rotate half") convention with base 10,000 that Hugging Face's Llama uses, so
 * queries and keys need no permutation. Stagewise's layers keep biases; Llama's {@code attention_bias} and
 * {@code mlp_bias} express them, and a file without them imports with zero biases.
 */
final class LlamaLayout implements HfLayout {

  private static final double EPS = 1e-5;
  private static final double ROPE_THETA = 10_000.0;

  @Override
  public String name() {
    return "llama";
  }

  @Override
  public List<String> refusals(ModelConfig config) {
    List<String> refusals = new ArrayList<>();
    if (config.norm() != Norm.RMSNORM) {
      refusals.add("model.norm: " + config.norm().specName() + " (Llama has RMSNorm in every block)");
    }
    if (config.position() != Position.ROPE) {
      refusals.add("model.position: " + config.position().specName() + " (Llama has rotary positions)");
    }
    if (config.mlp() != Mlp.SWIGLU) {
      refusals.add("model.mlp: " + config.mlp().specName() + " (Llama has a SwiGLU MLP: set mlp: swiglu)");
    }
    HfLayout.refuseKernels(config, refusals);
    return refusals;
  }

  @Override
  public ObjectNode configJson(ModelConfig config, TokenRoles roles) {
    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("model_type", name());
    HfLayout.commonFields(json, config, "Llama", roles);
    json.put("attention_bias", true);
    json.put("attention_dropout", config.dropout());
    json.put("head_dim", config.headDim());
    json.put("hidden_act", "silu");
    json.put("hidden_size", config.width());
    json.put("initializer_range", 0.02);
    json.put("intermediate_size", config.mlpHidden());
    json.put("max_position_embeddings", config.contextLength());
    json.put("mlp_bias", true);
    json.put("num_attention_heads", config.heads());
    json.put("num_hidden_layers", config.layers());
    json.put("num_key_value_heads", config.kvHeads());
    json.put("pretraining_tp", 1);
    json.put("rms_norm_eps", EPS);
    json.putNull("rope_scaling");
    json.put("rope_theta", ROPE_THETA);
    json.put("use_cache", true);
    return json;
  }

  @Override
  public ModelConfig modelConfig(JsonNode configJson, String source) {
    ConfigJson json = new ConfigJson(configJson, source);
    Head head = HfLayout.head(json);
    int width = json.count("hidden_size");
    int heads = json.count("num_attention_heads");
    int kvHeads = json.count("num_key_value_heads", heads);
    json.require(json.text("hidden_act", "silu").equals("silu"), "hidden_act", "Stagewise's SwiGLU gates with silu");
    json.require(json.count("head_dim", width / heads) * heads == width, "head_dim",
        "Stagewise's heads split the width (hidden_size / num_attention_heads)");
    json.require(Math.abs(json.number("rms_norm_eps", 1e-6) - EPS) < 1e-12, "rms_norm_eps",
        "Stagewise's RMSNorm uses 1e-5");
    json.require(json.number("rope_theta", ROPE_THETA) == ROPE_THETA, "rope_theta", "Stagewise's RoPE base is 10000");
    json.require(configJson.path("rope_scaling").isNull() || configJson.path("rope_scaling").isMissingNode(),
        "rope_scaling", "Stagewise's RoPE is unscaled");
    int vocab = json.count("vocab_size");
    int context = json.count("max_position_embeddings");
    int layers = json.count("num_hidden_layers");
    int hidden = json.count("intermediate_size");
    float dropout = (float) json.number("attention_dropout", 0);
    boolean tied = json.flag("tie_word_embeddings", false);
    json.validate();
    return HfLayout.config(source, () -> new ModelConfig(vocab, context, layers, heads, kvHeads, width, hidden,
        Norm.RMSNORM, Position.ROPE, Attention.STANDARD, Mlp.SWIGLU, 0, 0, dropout, tied, head,
        ModelConfig.DEFAULT_ATTENTION_CHUNK, ModelConfig.DEFAULT_MOE_LOSS_WEIGHT, BlockSparsity.REFERENCE));
  }

  @Override
  public List<TensorMapping> tensors(ModelConfig config, JsonNode configJson) {
    boolean attentionBias = configJson.path("attention_bias").asBoolean(false);
    boolean mlpBias = configJson.path("mlp_bias").asBoolean(false);
    long q = (long) config.heads() * config.headDim();
    long kv = (long) config.kvHeads() * config.headDim();
    List<TensorMapping> tensors = new ArrayList<>();
    tensors.add(TensorMapping.whole("wte.weight", "model.embed_tokens.weight"));
    for (int i = 0; i < config.layers(); i++) {
      String block = "blocks." + i + ".";
      String layer = "model.layers." + i + ".";
      tensors.add(TensorMapping.whole(block + "norm1.weight", layer + "input_layernorm.weight"));
      for (String part : attentionBias ? List.of("weight", "bias") : List.of("weight")) {
        String qkv = block + "attention.qkv." + part;
        tensors.add(TensorMapping.rows(qkv, 0, q, layer + "self_attn.q_proj." + part));
        tensors.add(TensorMapping.rows(qkv, q, q + kv, layer + "self_attn.k_proj." + part));
        tensors.add(TensorMapping.rows(qkv, q + kv, q + 2 * kv, layer + "self_attn.v_proj." + part));
        tensors.add(TensorMapping.whole(block + "attention.proj." + part, layer + "self_attn.o_proj." + part));
      }
      tensors.add(TensorMapping.whole(block + "norm2.weight", layer + "post_attention_layernorm.weight"));
      for (String part : mlpBias ? List.of("weight", "bias") : List.of("weight")) {
        tensors.add(TensorMapping.whole(block + "mlp.gate." + part, layer + "mlp.gate_proj." + part));
        tensors.add(TensorMapping.whole(block + "mlp.up." + part, layer + "mlp.up_proj." + part));
        tensors.add(TensorMapping.whole(block + "mlp.down." + part, layer + "mlp.down_proj." + part));
      }
    }
    tensors.add(TensorMapping.whole("final_norm.weight", "model.norm.weight"));
    HfLayout.addHead(config, tensors);
    return tensors;
  }
}
