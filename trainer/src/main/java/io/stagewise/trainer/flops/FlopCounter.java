package io.stagewise.trainer.flops;

import io.stagewise.trainer.model.BlockSparsity;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelConfig.Mlp;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;

/**
 * Exact matmul FLOPs and parameter counts of a {@link ModelConfig}; CEG is computed from these.
 *
 * <p>Counted: every matrix multiply at 2 FLOPs per multiply-add — the query/key/value projection (keys
 * and values sized {@code kvHeads}), attention scores QKᵀ and attention×V over the full T×T square, the
 * output projection, the MLP (for MoE the router plus the {@code topK} active experts per token) and the
 * head. Not counted: embeddings lookups, norms, softmax, activations, residual adds and biases (lower
 * order, and the convention of Kaplan et al. and nanoGPT). Attention is counted as the full square for
 * the dense kernels, although the causal half is masked and the chunked kernel skips future key blocks: the
 * counter measures the model's mathematics, so a kernel that computes the same function faster changes
 * wall-clock time, not compute. Block-sparse attention is another function, counted by the blocks it
 * computes (see {@link #sparseAttentionFlops}). Training = 3 × forward (backward costs two forwards).
 *
 * <p>A LoRA run ({@link #trainingFlops(ModelConfig, LoraConfig, long, long)}) still runs the frozen base forward
 * and propagates gradients back through it, but computes no gradient for the base's weights: its training step is
 * 3 × forward less the weight-gradient products of the frozen linear layers and LM head (one forward's worth of
 * them), plus 3 × the adapters' own two products (2·r·(in + out) FLOPs per token and adapted layer; the active
 * experts' adapters for MoE). Attention scores keep their full backward (both of their operands are activations).
 */
public final class FlopCounter {

  private FlopCounter() {}

  /** FLOPs of one forward pass over {@code batch} sequences of {@code seqLen} tokens. */
  public static long forwardFlops(ModelConfig config, long batch, long seqLen) {
    if (batch <= 0 || seqLen <= 0 || seqLen > config.contextLength()) {
      throw new IllegalArgumentException("need batch > 0 and 0 < seqLen <= contextLength ("
          + config.contextLength() + "), got batch=" + batch + " seqLen=" + seqLen);
    }
    long tokens = batch * seqLen;
    long width = config.width();
    long headDim = config.headDim();
    long qkv = 2 * tokens * width * (config.heads() + 2L * config.kvHeads()) * headDim;
    long projection = 2 * tokens * config.heads() * headDim * width;
    long perLayer = qkv + attentionFlops(config, batch, seqLen) + projection + mlpFlops(config, tokens);
    return config.layers() * perLayer + headFlops(config, tokens);
  }

  /** One layer's QKᵀ and attention × V: the full square for the dense kernels, the computed blocks for sparse. */
  private static long attentionFlops(ModelConfig config, long batch, long seqLen) {
    return config.attention() == Attention.SPARSE
        ? sparseAttentionFlops(config, batch, seqLen)
        : 2 * (2 * batch * config.heads() * seqLen * seqLen * config.headDim());
  }

  private static long headFlops(ModelConfig config, long tokens) {
    return 2 * tokens * config.width() * (config.head() == Head.LM ? config.vocabSize() : 1);
  }

  /**
   * FLOPs of one training step over {@code batch × seqLen} tokens of a model with the LoRA adapters {@code lora}
   * (null: {@link #trainingFlops(ModelConfig, long, long)}), counted as the class comment says.
   */
  public static long trainingFlops(ModelConfig config, LoraConfig lora, long batch, long seqLen) {
    if (lora == null) {
      return trainingFlops(config, batch, seqLen);
    }
    long forward = forwardFlops(config, batch, seqLen);
    long tokens = batch * seqLen;
    // A scalar head trains beside the adapters; an LM head is frozen with the base.
    long trainedHead = config.head() == Head.SCALAR ? headFlops(config, tokens) : 0;
    long frozenWeights = forward - config.layers() * attentionFlops(config, batch, seqLen) - trainedHead;
    return 3 * forward - frozenWeights + 3 * adapterFlops(config, lora, tokens);
  }

  /** As {@link #trainingFlops(ModelConfig, int[])} for a model with the LoRA adapters {@code lora}. */
  public static long trainingFlops(ModelConfig config, LoraConfig lora, int[] sequenceInputs) {
    long total = 0;
    for (int positions : sequenceInputs) {
      total += trainingFlops(config, lora, 1, positions);
    }
    return total;
  }

  /** The adapters' forward FLOPs over {@code tokens} tokens: A then B, 2·r·(in + out) per token and layer. */
  static long adapterFlops(ModelConfig config, LoraConfig lora, long tokens) {
    long width = config.width();
    long hidden = config.mlpHidden();
    long activeExperts = config.mlp() == Mlp.MOE ? config.topK() : 1;
    long perToken = 0;
    for (String layer : lora.adaptedLayers(config)) {
      perToken += switch (layer) {
        case "attention.qkv" -> width + (long) (config.heads() + 2 * config.kvHeads()) * config.headDim();
        case "attention.proj" -> 2 * width;
        case "mlp.fc", "mlp.proj" -> activeExperts * (width + hidden);
        default -> width + hidden; // mlp.gate, mlp.up, mlp.down
      };
    }
    return config.layers() * 2 * tokens * lora.r() * perToken;
  }

  /**
   * One layer's block-sparse attention over {@code seqLen} positions from 0. A query in block i (blocks of
   * b positions, L_j positions in block j, the last one possibly short) attends to the whole tiles of its
   * local window, blocks max(0, i − w + 1)..i, and to min(S, c_i) selected complete blocks, where
   * c_i = max(0, i − w + 1) blocks precede its window; when c_i > S it also scores those c_i blocks
   * (one d-long dot product each). Per head and query: 2·d·keys for QKᵀ, as many for attention × V, and
   * 2·d·c_i for the scores. With every block selected this is the causal block triangle, not the full
   * square the dense kernels are counted at.
   */
  static long sparseAttentionFlops(ModelConfig config, long batch, long seqLen) {
    BlockSparsity sparsity = config.sparsity();
    long b = sparsity.blockSize();
    long perHead = 0;
    for (long start = 0, block = 0; start < seqLen; start += b, block++) {
      long queries = Math.min(b, seqLen - start);
      long windowStart = Math.max(0, block - sparsity.localBlocks() + 1);
      long windowKeys = Math.min(seqLen, (block + 1) * b) - windowStart * b;
      long selected = Math.min(sparsity.selectedBlocks(), windowStart);
      long scored = windowStart > sparsity.selectedBlocks() ? windowStart : 0;
      perHead += queries * (2 * 2 * (windowKeys + selected * b) + 2 * scored);
    }
    return batch * config.heads() * config.headDim() * perHead;
  }

  /** FLOPs of one training step (forward and backward) over {@code batch × seqLen} tokens. */
  public static long trainingFlops(ModelConfig config, long batch, long seqLen) {
    return 3 * forwardFlops(config, batch, seqLen);
  }

  /**
   * FLOPs of one training step over packed sequences of {@code sequenceInputs} positions each: every sequence
   * counted as if alone (its own attention square), padding not at all.
   */
  public static long trainingFlops(ModelConfig config, int[] sequenceInputs) {
    long total = 0;
    for (int positions : sequenceInputs) {
      total += trainingFlops(config, 1, positions);
    }
    return total;
  }

  private static long mlpFlops(ModelConfig config, long tokens) {
    long dense = 2 * tokens * 2L * config.width() * config.mlpHidden();
    if (config.mlp() == Mlp.DENSE) {
      return dense;
    }
    if (config.mlp() == Mlp.SWIGLU) {
      // gate, up and down: three width × hidden products; the gating product and silu are not counted.
      return 2 * tokens * 3L * config.width() * config.mlpHidden();
    }
    long router = 2 * tokens * config.width() * config.experts();
    return router + config.topK() * dense;
  }

  /** Trainable parameters of the model (a tied embedding counted once); equals GptModel's count. */
  public static long parameters(ModelConfig config) {
    long width = config.width();
    long qkvOut = (long) (config.heads() + 2 * config.kvHeads()) * config.headDim();
    long attention = qkvOut * width + qkvOut + width * width + width;
    long expert = 2 * width * config.mlpHidden() + config.mlpHidden() + width;
    long mlp = switch (config.mlp()) {
      case DENSE -> expert;
      case SWIGLU -> 3 * width * config.mlpHidden() + 2L * config.mlpHidden() + width;
      case MOE -> config.experts() * (width + expert);
    };
    long perLayer = 2 * normParameters(config.norm(), width) + attention + mlp;
    long embeddings = config.vocabSize() * width
        + (config.position() == Position.LEARNED ? config.contextLength() * width : 0);
    long head = config.head() == Head.SCALAR ? width + 1 : config.tiedEmbeddings() ? 0 : config.vocabSize() * width;
    return embeddings + config.layers() * perLayer + normParameters(config.finalNorm(), width) + head;
  }

  private static long normParameters(Norm norm, long width) {
    return switch (norm) {
      case NONE -> 0;
      case RMSNORM -> width;
      case LAYERNORM -> 2 * width;
    };
  }
}
