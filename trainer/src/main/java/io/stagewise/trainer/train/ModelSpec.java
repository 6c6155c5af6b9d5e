package io.stagewise.trainer.train;

import io.stagewise.trainer.model.BlockSparsity;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.model.precision.Precision;
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
 * @param attention {@code standard}, {@code chunked}, {@code fused}, {@code sparse}
 * @param kvHeads key/value heads (MHA / GQA / MQA)
 * @param experts MoE experts; 0 switches to the dense MLP
 * @param topK experts per token (with {@code experts})
 * @param dropout dropout probability
 * @param tiedEmbeddings whether the LM head reuses the embedding
 * @param sparseBlockSize key positions per block of {@code attention=sparse} (null: the reference's 64)
 * @param sparseSelectedBlocks earlier blocks each query selects (null: the reference's 16)
 * @param sparseLocalBlocks blocks of the local window, the query's own included (null: 1)
 * @param mlp {@code dense} (GELU) or {@code swiglu}; a mixture of experts is chosen with {@code experts}
 * @param precision {@code fp32} (null: the default) or {@code bf16}, the precision of the matrix products
 *     ({@link Precision}); not part of the architecture, so not of {@link ModelConfig}
 */
public record ModelSpec(String preset, Integer contextLength, String norm, String position, String attention,
    Integer kvHeads, Integer experts, Integer topK, Float dropout, Boolean tiedEmbeddings, Integer sparseBlockSize,
    Integer sparseSelectedBlocks, Integer sparseLocalBlocks, String mlp, String precision) {

  public ModelSpec {
    List<String> errors = new ArrayList<>();
    check(errors, () -> Precision.fromName("model.precision", precision), precision);
    check(errors, () -> feedForward(mlp), mlp);
    if (mlp != null && experts != null && experts > 0) {
      errors.add("model.mlp: experts > 0 chooses a mixture of experts; leave mlp out or set experts 0");
    }
    if (!ModelPresets.NAMES.contains(preset)) {
      errors.add("model.preset: unknown preset '" + preset + "', expected one of " + ModelPresets.NAMES);
    }
    check(errors, () -> ModelConfig.Norm.fromName(norm), norm);
    check(errors, () -> ModelConfig.Position.fromName(position), position);
    check(errors, () -> ModelConfig.Attention.fromName(attention), attention);
    if ((experts != null && experts > 0) != (topK != null && topK > 0)) {
      errors.add("model.topK: experts and topK go together (experts=" + experts + ", topK=" + topK + ")");
    }
    if (sparseBlockSize != null || sparseSelectedBlocks != null || sparseLocalBlocks != null) {
      if (!isSparse(attention)) {
        errors.add("model.sparse_*: the block-sparse settings need attention=sparse, got attention=" + attention);
      }
      check(errors, () -> sparsity(sparseBlockSize, sparseSelectedBlocks, sparseLocalBlocks, BlockSparsity.REFERENCE),
          "set");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  /** The preset unchanged. */
  public static ModelSpec preset(String name) {
    return new ModelSpec(name, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The precision of the run's matrix products, fp32 unless the spec says bf16. */
  public Precision matmulPrecision() {
    return precision == null ? Precision.FP32 : Precision.fromName("model.precision", precision);
  }

  /** The single feed-forward block {@code mlp} names; moe is not one (it comes with {@code experts}). */
  private static ModelConfig.Mlp feedForward(String mlp) {
    ModelConfig.Mlp kind = ModelConfig.Mlp.fromName(mlp);
    if (kind == ModelConfig.Mlp.MOE) {
      throw new IllegalArgumentException("model.mlp: moe is chosen with experts and top_k; mlp takes dense or swiglu");
    }
    return kind;
  }

  /**
   * A block-sparse geometry, each null field taken from {@code fallback}. Static: the compact constructor
   * validates with it before the record's fields are assigned.
   */
  private static BlockSparsity sparsity(Integer blockSize, Integer selected, Integer local, BlockSparsity fallback) {
    return new BlockSparsity(blockSize != null ? blockSize : fallback.blockSize(),
        selected != null ? selected : fallback.selectedBlocks(), local != null ? local : fallback.localBlocks());
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
    if (sparseBlockSize != null || sparseSelectedBlocks != null || sparseLocalBlocks != null) {
      c = c.withSparsity(sparsity(sparseBlockSize, sparseSelectedBlocks, sparseLocalBlocks, c.sparsity()));
    }
    if (kvHeads != null) {
      c = c.withKvHeads(kvHeads);
    }
    if (experts != null) {
      c = experts > 0 ? c.withMoe(experts, topK) : c.withDenseMlp();
    }
    if (mlp != null) {
      c = c.withFeedForward(feedForward(mlp));
    }
    if (dropout != null) {
      c = c.withDropout(dropout);
    }
    if (tiedEmbeddings != null) {
      c = c.withTiedEmbeddings(tiedEmbeddings);
    }
    return c;
  }

  private static boolean isSparse(String attention) {
    try {
      return attention != null && ModelConfig.Attention.fromName(attention) == ModelConfig.Attention.SPARSE;
    } catch (IllegalArgumentException e) {
      return false; // reported as an unknown attention
    }
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
