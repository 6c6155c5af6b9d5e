package io.stagewise.trainer.train;

import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import java.util.ArrayList;
import java.util.List;

/**
 * The model of a run as a user writes it: a preset and the innovation switches to change, each null when the
 * preset's value stands. The vocabulary comes from the data's manifest, so it is not part of the spec.
 *
 * @param preset one of {@link ModelPresets#NAMES}
 * @param contextLength sequence length (the rows are truncated / padded to it)
 * @param norm {@code none}, {@code layernorm}, {@code rmsnorm}
 * @param position {@code learned}, {@code rope}, {@code none}
 * @param attention {@code standard}, {@code chunked}, {@code fused}
 * @param kvHeads key/value heads (MHA / GQA / MQA)
 * @param experts MoE experts; 0 switches to the dense MLP
 * @param topK experts per token (with {@code experts})
 * @param dropout dropout probability
 * @param tiedEmbeddings whether the LM head reuses the embedding
 */
public record ModelSpec(String preset, Integer contextLength, String norm, String position, String attention,
    Integer kvHeads, Integer experts, Integer topK, Float dropout, Boolean tiedEmbeddings) {

  public ModelSpec {
    List<String> errors = new ArrayList<>();
    if (!ModelPresets.NAMES.contains(preset)) {
      errors.add("model.preset: unknown preset '" + preset + "', expected one of " + ModelPresets.NAMES);
    }
    check(errors, () -> ModelConfig.Norm.fromName(norm), norm);
    check(errors, () -> ModelConfig.Position.fromName(position), position);
    check(errors, () -> ModelConfig.Attention.fromName(attention), attention);
    if ((experts != null && experts > 0) != (topK != null && topK > 0)) {
      errors.add("model.topK: experts and topK go together (experts=" + experts + ", topK=" + topK + ")");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  /** The preset unchanged. */
  public static ModelSpec preset(String name) {
    return new ModelSpec(name, null, null, null, null, null, null, null, null, null);
  }

  /** The configuration for a vocabulary of {@code vocabSize} tokens (validated by {@link ModelConfig}). */
  public ModelConfig resolve(int vocabSize) {
    ModelConfig c = ModelPresets.get(preset, vocabSize);
    if (contextLength != null) {
      c = c.withContextLength(contextLength);
    }
    if (norm != null) {
      c = c.withNorm(ModelConfig.Norm.fromName(norm));
    }
    if (position != null) {
      c = c.withPosition(ModelConfig.Position.fromName(position));
    }
    if (attention != null) {
      c = c.withAttention(ModelConfig.Attention.fromName(attention));
    }
    if (kvHeads != null) {
      c = c.withKvHeads(kvHeads);
    }
    if (experts != null) {
      c = experts > 0 ? c.withMoe(experts, topK) : c.withDenseMlp();
    }
    if (dropout != null) {
      c = c.withDropout(dropout);
    }
    if (tiedEmbeddings != null) {
      c = c.withTiedEmbeddings(tiedEmbeddings);
    }
    return c;
  }

  private static void check(List<String> errors, Runnable parse, String value) {
    if (value == null) {
      return;
    }
    try {
      parse.run();
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
  }
}
