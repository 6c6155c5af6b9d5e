package io.stagewise.trainer.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The architecture of one decoder-only transformer: sizes plus the innovation switches a CEG study
 * toggles. Validated once here; the model trusts it.
 *
 * @param vocabSize tokens in the vocabulary
 * @param contextLength longest sequence the model accepts (size of the learned position table)
 * @param layers transformer blocks
 * @param heads query heads; {@code width} must be a multiple
 * @param kvHeads key/value heads: {@code heads} (MHA), 1 (MQA) or another divisor of heads (GQA)
 * @param width residual stream width
 * @param mlpHidden hidden width of the MLP (of each expert for MoE)
 * @param norm normalisation in the pre-norm blocks; the final norm before the head is {@link #finalNorm}
 * @param position how positions enter the model
 * @param attention attention kernel (same maths for standard, chunked and fused; sparse is block-sparse)
 * @param mlp dense GELU MLP, SwiGLU MLP (three matrices, Llama's) or a mixture of (GELU) experts
 * @param experts experts per MoE layer (0 for dense)
 * @param topK experts each token is routed to (0 for dense)
 * @param dropout dropout on embeddings, attention weights and residual branches, in [0, 1)
 * @param tiedEmbeddings whether the LM head reuses the token embedding matrix
 * @param head next-token logits or one scalar per position (reward / value models)
 * @param attentionChunk key/query block size of the chunked kernel
 * @param moeLossWeight coefficient of the load-balancing loss returned as auxLoss
 * @param sparsity block size, selected blocks and local window of {@code attention=sparse} (set, unused,
 *     for the other kernels)
 */
public record ModelConfig(
        int vocabSize,
        int contextLength,
        int layers,
        int heads,
        int kvHeads,
        int width,
        int mlpHidden,
        Norm norm,
        Position position,
        Attention attention,
        Mlp mlp,
        int experts,
        int topK,
        float dropout,
        boolean tiedEmbeddings,
        Head head,
        int attentionChunk,
        float moeLossWeight,
        BlockSparsity sparsity) {

    /** Default block size of the chunked attention kernel. */
    public static final int DEFAULT_ATTENTION_CHUNK = 64;
    /** Default load-balancing coefficient (Switch Transformer uses 0.01). */
    public static final float DEFAULT_MOE_LOSS_WEIGHT = 0.01f;

    public ModelConfig {
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("width", width);
        positive("mlpHidden", mlpHidden);
        positive("attentionChunk", attentionChunk);
        require(norm != null, "norm", "must be set");
        require(position != null, "position", "must be set");
        require(attention != null, "attention", "must be set");
        require(mlp != null, "mlp", "must be set");
        require(head != null, "head", "must be set");
        require(sparsity != null, "sparsity", "must be set (BlockSparsity.REFERENCE when unused)");
        require(width % heads == 0, "width", "must be a multiple of heads (" + heads + "), got " + width);
        require(heads % kvHeads == 0, "kvHeads",
                "must divide heads (" + heads + "): use heads for MHA, 1 for MQA, a divisor for GQA; got " + kvHeads);
        require(position != Position.ROPE || (width / heads) % 2 == 0, "position",
                "rope needs an even head dimension, got width/heads = " + (width / heads));
        require(dropout >= 0f && dropout < 1f, "dropout", "must be in [0, 1), got " + dropout);
        require(moeLossWeight >= 0f && Float.isFinite(moeLossWeight), "moeLossWeight",
                "must be finite and >= 0, got " + moeLossWeight);
        if (mlp == Mlp.MOE) {
            require(experts >= 2, "experts", "moe needs at least 2 experts, got " + experts);
            require(topK >= 1 && topK <= experts, "topK", "must be in [1, experts=" + experts + "], got " + topK);
        } else {
            require(experts == 0, "experts", "must be 0 for a " + mlp.specName() + " mlp (use withMoe), got " + experts);
            require(topK == 0, "topK", "must be 0 for a " + mlp.specName() + " mlp (use withMoe), got " + topK);
        }
    }

    /** Width of one attention head. */
    public int headDim() {
        return width / heads;
    }

    /**
     * The norm before the head: always present, as in the CEG reference's {@code model.py} ({@code ln_f} in
     * every variant, "no features" included), so {@code norm=none} removes the blocks' norms only and keeps a
     * final LayerNorm; otherwise the blocks' kind.
     */
    public Norm finalNorm() {
        return norm == Norm.NONE ? Norm.LAYERNORM : norm;
    }

    /** Query heads sharing one key/value head. */
    public int queriesPerKvHead() {
        return heads / kvHeads;
    }

    public ModelConfig withVocabSize(int v) {
        return new ModelConfig(v, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withContextLength(int t) {
        return new ModelConfig(vocabSize, t, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    /**
     * Same architecture at another size. kvHeads keeps its role: MHA stays MHA, MQA stays MQA and GQA keeps its
     * query heads per key/value head, so the attention variant means the same at every size. mlpHidden keeps
     * its ratio to the width (rounded to the nearest integer), so a preset's 4× MLP, or one set explicitly,
     * scales with the model.
     */
    public ModelConfig withSize(int newLayers, int newHeads, int newWidth) {
        positive("heads", newHeads);
        positive("width", newWidth);
        boolean mqa = kvHeads == 1 && heads > 1;
        require(mqa || newHeads % queriesPerKvHead() == 0, "heads", "withSize to " + newHeads
                + " heads cannot keep " + queriesPerKvHead() + " query heads per key/value head (heads=" + heads
                + ", kvHeads=" + kvHeads + "): choose a multiple of " + queriesPerKvHead());
        int kv = mqa ? 1 : newHeads / queriesPerKvHead();
        int hidden = Math.max(1, (int) Math.round((double) mlpHidden * newWidth / width));
        return new ModelConfig(vocabSize, contextLength, newLayers, newHeads, kv, newWidth, hidden, norm,
                position, attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk,
                moeLossWeight, sparsity);
    }

    public ModelConfig withKvHeads(int kv) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kv, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withMlpHidden(int hidden) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, hidden, norm, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withNorm(Norm n) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, n, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withPosition(Position p) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, p,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withAttention(Attention a) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                a, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withAttentionChunk(int chunk) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, chunk, moeLossWeight, sparsity);
    }

    /** The block-sparse geometry {@code attention=sparse} uses. */
    public ModelConfig withSparsity(BlockSparsity s) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, s);
    }

    /** Switches to a mixture of {@code numExperts} experts, each token routed to {@code k} of them. */
    public ModelConfig withMoe(int numExperts, int k) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, Mlp.MOE, numExperts, k, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight,
                sparsity);
    }

    public ModelConfig withMoeLossWeight(float weight) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, head, attentionChunk, weight, sparsity);
    }

    /** Switches to the dense GELU MLP. */
    public ModelConfig withDenseMlp() {
        return withFeedForward(Mlp.DENSE);
    }

    /** Switches to a single feed-forward block: {@link Mlp#DENSE} or {@link Mlp#SWIGLU} (not MoE). */
    public ModelConfig withFeedForward(Mlp kind) {
        require(kind != Mlp.MOE, "mlp", "moe is chosen with experts and topK (withMoe)");
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, kind, 0, 0, dropout, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withDropout(float p) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, p, tiedEmbeddings, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withTiedEmbeddings(boolean tied) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, dropout, tied, head, attentionChunk, moeLossWeight, sparsity);
    }

    public ModelConfig withHead(Head h) {
        return new ModelConfig(vocabSize, contextLength, layers, heads, kvHeads, width, mlpHidden, norm, position,
                attention, mlp, experts, topK, dropout, tiedEmbeddings, h, attentionChunk, moeLossWeight, sparsity);
    }

    private static void positive(String field, int value) {
        require(value > 0, field, "must be > 0, got " + value);
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new IllegalArgumentException("model." + field + ": " + message);
        }
    }

    /** Looks an enum constant up by its lower-case spec name, listing the allowed names on failure. */
    static <E extends Enum<E>> E byName(Class<E> type, String field, String name) {
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("model." + field + ": unknown value '" + name + "', expected one of " + allowed);
    }

    /** Normalisation layer. */
    public enum Norm {
        NONE, LAYERNORM, RMSNORM;

        public static Norm fromName(String name) {
            return byName(Norm.class, "norm", name);
        }

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Position information: a learned table, rotary embeddings on queries/keys, or none (NoPE). */
    public enum Position {
        LEARNED, ROPE, NONE;

        public static Position fromName(String name) {
            return byName(Position.class, "position", name);
        }

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Attention kernel: materialised T×T scores, exact tiled online softmax, the engine's fused kernel, or
     * block-sparse attention (a local window plus the top-scoring key blocks, see {@link BlockSparsity}).
     */
    public enum Attention {
        STANDARD, CHUNKED, FUSED, SPARSE;

        public static Attention fromName(String name) {
            return byName(Attention.class, "attention", name);
        }

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Feed-forward block: GELU MLP, SwiGLU MLP, or a mixture of GELU experts. */
    public enum Mlp {
        DENSE, SWIGLU, MOE;

        public static Mlp fromName(String name) {
            return byName(Mlp.class, "mlp", name);
        }

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Output head. */
    public enum Head {
        LM, SCALAR;

        public static Head fromName(String name) {
            return byName(Head.class, "head", name);
        }

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
