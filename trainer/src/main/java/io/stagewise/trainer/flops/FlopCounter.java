package io.stagewise.trainer.flops;

import io.stagewise.trainer.model.ModelConfig;
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
 * every kernel, although the causal half is masked and the chunked kernel skips future key blocks: the
 * counter measures the model's mathematics, so a kernel that computes the same function faster changes
 * wall-clock time, not compute. Training = 3 × forward (backward costs two forwards).
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
    long scores = 2 * batch * config.heads() * seqLen * seqLen * headDim;
    long mix = 2 * batch * config.heads() * seqLen * seqLen * headDim;
    long projection = 2 * tokens * config.heads() * headDim * width;
    long perLayer = qkv + scores + mix + projection + mlpFlops(config, tokens);
    long head = 2 * tokens * width * (config.head() == Head.LM ? config.vocabSize() : 1);
    return config.layers() * perLayer + head;
  }

  /** FLOPs of one training step (forward and backward) over {@code batch × seqLen} tokens. */
  public static long trainingFlops(ModelConfig config, long batch, long seqLen) {
    return 3 * forwardFlops(config, batch, seqLen);
  }

  private static long mlpFlops(ModelConfig config, long tokens) {
    long dense = 2 * tokens * 2L * config.width() * config.mlpHidden();
    if (config.mlp() == Mlp.DENSE) {
      return dense;
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
    long mlp = config.mlp() == Mlp.DENSE ? expert : config.experts() * (width + expert);
    long perLayer = 2 * normParameters(config.norm(), width) + attention + mlp;
    long embeddings = config.vocabSize() * width
        + (config.position() == Position.LEARNED ? config.contextLength() * width : 0);
    long head = config.head() == Head.SCALAR ? width + 1 : config.tiedEmbeddings() ? 0 : config.vocabSize() * width;
    return embeddings + config.layers() * perLayer + normParameters(config.norm(), width) + head;
  }

  private static long normParameters(Norm norm, long width) {
    return switch (norm) {
      case NONE -> 0;
      case RMSNORM -> width;
      case LAYERNORM -> 2 * width;
    };
  }
}
