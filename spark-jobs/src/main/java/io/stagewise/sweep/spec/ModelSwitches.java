package io.stagewise.sweep.spec;

import io.stagewise.trainer.train.ModelSpec;

/**
 * The architecture switches an innovation set changes, each null when it leaves the value below it alone. The
 * baseline's switches are laid over each preset first, then the innovation's over those.
 *
 * @param norm {@code none}, {@code layernorm} or {@code rmsnorm}
 * @param position {@code learned}, {@code rope} or {@code none}
 * @param attention {@code standard}, {@code chunked} or {@code fused}
 * @param kvHeads key/value heads (MHA: the preset's heads, MQA: 1, GQA: a divisor)
 * @param experts MoE experts (0: the dense MLP)
 * @param topK experts per token, with {@code experts}
 */
public record ModelSwitches(String norm, String position, String attention, Integer kvHeads, Integer experts,
    Integer topK) {

  /** {@code model} with every switch set here replacing its value. */
  public ModelSpec over(ModelSpec model) {
    boolean moe = experts != null;
    return new ModelSpec(model.preset(), model.contextLength(), pick(norm, model.norm()),
        pick(position, model.position()), pick(attention, model.attention()), pick(kvHeads, model.kvHeads()),
        moe ? experts : model.experts(), moe ? topK : model.topK(), model.dropout(), model.tiedEmbeddings());
  }

  private static <T> T pick(T mine, T theirs) {
    return mine != null ? mine : theirs;
  }
}
