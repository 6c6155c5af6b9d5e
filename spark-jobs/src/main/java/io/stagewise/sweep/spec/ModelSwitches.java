package io.stagewise.sweep.spec;

import io.stagewise.trainer.train.ModelSpec;

/**
 * The architecture switches an innovation set changes, each null when it leaves the value below it alone. The
 * baseline's switches are laid over each preset first, then the innovation's over those.
 *
 * @param norm {@code none}, {@code layernorm} or {@code rmsnorm} (the blocks' norms; the final norm stays)
 * @param position {@code learned}, {@code rope} or {@code none}
 * @param attention {@code standard}, {@code chunked}, {@code fused} or {@code sparse}
 * @param kvHeads key/value heads (MHA: the preset's heads, MQA: 1, GQA: a divisor)
 * @param experts MoE experts (0: the dense MLP)
 * @param topK experts per token, with {@code experts}
 * @param sparseBlockSize key positions per block of sparse attention
 * @param sparseSelectedBlocks earlier blocks each query selects
 * @param sparseLocalBlocks blocks of the local window, the query's own included
 * @param mlp {@code dense} or {@code swiglu} (a mixture of experts comes with {@code experts})
 */
public record ModelSwitches(String norm, String position, String attention, Integer kvHeads, Integer experts,
    Integer topK, Integer sparseBlockSize, Integer sparseSelectedBlocks, Integer sparseLocalBlocks, String mlp) {

  /** {@code model} with every switch set here replacing its value. */
  public ModelSpec over(ModelSpec model) {
    boolean moe = experts != null;
    return new ModelSpec(model.preset(), model.contextLength(), pick(norm, model.norm()),
        pick(position, model.position()), pick(attention, model.attention()), pick(kvHeads, model.kvHeads()),
        moe ? experts : model.experts(), moe ? topK : model.topK(), model.dropout(), model.tiedEmbeddings(),
        pick(sparseBlockSize, model.sparseBlockSize()), pick(sparseSelectedBlocks, model.sparseSelectedBlocks()),
        pick(sparseLocalBlocks, model.sparseLocalBlocks()), moe ? null : pick(mlp, model.mlp()),
        model.precision());
  }

  private static <T> T pick(T mine, T theirs) {
    return mine != null ? mine : theirs;
  }
}
