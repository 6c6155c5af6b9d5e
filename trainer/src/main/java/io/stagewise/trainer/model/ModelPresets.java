package io.stagewise.trainer.model;

import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelConfig.Mlp;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.List;

/**
 * Named baseline sizes. Every preset is the GPT-2 baseline (pre-LayerNorm, learned positions, standard
 * multi-head attention, dense 4× GELU MLP, tied embeddings); switches are applied with the {@code withXxx}
 * methods of {@link ModelConfig}. Only the {@code ref-*} presets have dropout: theirs are the CEG
 * reference's configs (llm-algorithmic-progress, {@code config/compact} and {@code config/full}).
 */
public final class ModelPresets {

  /** The preset names {@link #get} accepts. */
  public static final List<String> NAMES = List.of("tiny", "small-cpu", "ceg-compact", "ceg-full", "ref-compact",
      "ref-full");

  private ModelPresets() {}

  /**
   * The preset called {@code name} for a vocabulary of {@code vocabSize} tokens.
   *
   * @throws IllegalArgumentException naming the allowed presets when {@code name} is unknown
   */
  public static ModelConfig get(String name, int vocabSize) {
    return switch (name == null ? "" : name) {
      // Trains in seconds on one CPU core: for tests and smoke runs.
      case "tiny" -> baseline(vocabSize, 128, 2, 4, 64);
      // The CPU benchmark: ~0.84M parameters with a byte-level (~260 token) vocabulary.
      case "small-cpu" -> baseline(vocabSize, 128, 4, 4, 128);
      case "ceg-compact" -> baseline(vocabSize, 512, 6, 6, 384);
      // GPT-2 small (124M with GPT-2's vocabulary).
      case "ceg-full" -> baseline(vocabSize, 1024, 12, 12, 768);
      // The reference's two sizes as its configs set them: its "full" has 10 layers, not GPT-2's 12.
      case "ref-compact" -> baseline(vocabSize, 512, 6, 6, 384).withDropout(0.2f);
      case "ref-full" -> baseline(vocabSize, 1024, 10, 12, 768).withDropout(0.4f);
      default -> throw new IllegalArgumentException(
          "model.preset: unknown preset '" + name + "', expected one of " + NAMES);
    };
  }

  private static ModelConfig baseline(int vocabSize, int context, int layers, int heads, int width) {
    return new ModelConfig(vocabSize, context, layers, heads, heads, width, 4 * width, Norm.LAYERNORM,
        Position.LEARNED, Attention.STANDARD, Mlp.DENSE, 0, 0, 0f, true, Head.LM,
        ModelConfig.DEFAULT_ATTENTION_CHUNK, ModelConfig.DEFAULT_MOE_LOSS_WEIGHT, BlockSparsity.REFERENCE);
  }
}
