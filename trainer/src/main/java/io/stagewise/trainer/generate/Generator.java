package io.stagewise.trainer.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.KvCache;
import io.stagewise.trainer.model.ModelConfig.Head;
import java.util.SplittableRandom;

/**
 * Autoregressive generation for a batch of prompts of different lengths.
 *
 * <p>Prompts are left-padded to the longest one and an attention mask hides the padding, with positions
 * counted from each row's first real token, so every row generates what it would generate alone. With
 * the KV cache (the default) the prompt runs once and every later step runs one token; without it each
 * step recomputes the whole sequence (slower, for verification). Run outside a gradient collector.
 */
public final class Generator {

  /** Filler for left padding; masked out, so any valid id works. */
  private static final int PAD = 0;

  private final GptModel model;
  private final GenerationConfig config;

  public Generator(GptModel model, GenerationConfig config) {
    if (model.config().head() != Head.LM) {
      throw new IllegalArgumentException("generation needs a model with head=lm, got head="
          + model.config().head().specName());
    }
    this.model = model;
    this.config = config;
  }

  /**
   * Continues every prompt; returns the generated ids per prompt (without the prompt), ending with the
   * end token when the row emitted it, and at most {@code maxNewTokens} long.
   *
   * @param manager parent of the sub-manager holding this call's arrays (released on return)
   */
  public int[][] generate(NDManager manager, int[][] prompts) {
    return generate(manager, prompts, null);
  }

  /**
   * As {@link #generate(NDManager, int[][])}, but row b draws its sampling noise from its own stream seeded
   * by {@code rowSeeds[b]} (the config's seed is unused): a row's sample then depends on its seed alone, not on
   * which rows share its batch, which is what lets data-parallel workers reproduce one worker's rollouts (PPO).
   */
  public int[][] generate(NDManager manager, int[][] prompts, long[] rowSeeds) {
    if (rowSeeds != null && rowSeeds.length != prompts.length) {
      throw new IllegalArgumentException(prompts.length + " prompts but " + rowSeeds.length + " row seeds");
    }
    int longest = validate(prompts);
    int batch = prompts.length;
    int total = longest + config.maxNewTokens();
    int[] tokens = new int[batch * total];
    long[] mask = new long[batch * total];
    for (int b = 0; b < batch; b++) {
      int pad = longest - prompts[b].length;
      System.arraycopy(prompts[b], 0, tokens, b * total + pad, prompts[b].length);
      java.util.Arrays.fill(mask, b * total + pad, b * total + longest, 1L);
    }
    int[][] generated = new int[batch][config.maxNewTokens()];
    int[] produced = new int[batch];
    boolean[] finished = new boolean[batch];
    TokenSampler sampler = new TokenSampler(config);
    SplittableRandom[] streams = rowSeeds == null ? null : new SplittableRandom[batch];
    for (int b = 0; streams != null && b < batch; b++) {
      streams[b] = new SplittableRandom(rowSeeds[b]);
    }
    int vocab = model.config().vocabSize();
    try (NDManager scope = manager.newSubManager();
        KvCache cache = config.useKvCache() ? new KvCache(scope, model.config().layers(), total - 1) : null) {
      ParameterStore parameters = new ParameterStore(scope, false);
      int length = longest;
      for (int step = 0; step < config.maxNewTokens(); step++) {
        int from = cache == null || step == 0 ? 0 : length - 1;
        float[] logits = lastLogits(scope, parameters, cache, tokens, mask, total, from, length);
        boolean allDone = true;
        for (int b = 0; b < batch; b++) {
          int next = finished[b] ? PAD : streams == null ? sampler.next(logits, b * vocab, vocab)
              : sampler.next(logits, b * vocab, vocab, streams[b]);
          if (!finished[b]) {
            generated[b][produced[b]++] = next;
            finished[b] = next == config.endTokenId();
          }
          tokens[b * total + length] = next;
          mask[b * total + length] = 1L;
          allDone &= finished[b];
        }
        length++;
        if (allDone) {
          break;
        }
      }
    }
    int[][] out = new int[batch][];
    for (int b = 0; b < batch; b++) {
      out[b] = java.util.Arrays.copyOf(generated[b], produced[b]);
    }
    return out;
  }

  /** Runs tokens [from, length) (mask over [0, length)) and returns the last position's logits, (B × V). */
  private float[] lastLogits(NDManager scope, ParameterStore parameters, KvCache cache, int[] tokens, long[] mask,
      int total, int from, int length) {
    int batch = tokens.length / total;
    try (NDManager step = scope.newSubManager()) {
      NDArray input = step.create(slice(tokens, batch, total, from, length), new Shape(batch, length - from));
      NDArray attention = step.create(slice(mask, batch, total, 0, length), new Shape(batch, length));
      NDList out = model.forward(parameters, input, attention, cache, false);
      return out.get(0).get(new NDIndex(":, -1, :")).toFloatArray();
    }
  }

  private int validate(int[][] prompts) {
    if (prompts.length == 0) {
      throw new IllegalArgumentException("prompts: need at least one prompt");
    }
    int longest = 0;
    int vocab = model.config().vocabSize();
    for (int b = 0; b < prompts.length; b++) {
      if (prompts[b].length == 0) {
        throw new IllegalArgumentException("prompts[" + b + "]: empty prompt");
      }
      for (int id : prompts[b]) {
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException("prompts[" + b + "]: token id " + id + " outside [0, " + vocab + ")");
        }
      }
      longest = Math.max(longest, prompts[b].length);
    }
    // The last new token is emitted but never fed back: the model sees at most longest + maxNewTokens - 1.
    if (longest + config.maxNewTokens() - 1 > model.config().contextLength()) {
      throw new IllegalArgumentException("generation.maxNewTokens: longest prompt (" + longest + ") + "
          + config.maxNewTokens() + " new tokens - 1 exceeds model.contextLength=" + model.config().contextLength()
          + " (the last new token is never fed back)");
    }
    return longest;
  }

  private static int[] slice(int[] rows, int batch, int total, int from, int to) {
    int[] out = new int[batch * (to - from)];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(rows, b * total + from, out, b * (to - from), to - from);
    }
    return out;
  }

  private static long[] slice(long[] rows, int batch, int total, int from, int to) {
    long[] out = new long[batch * (to - from)];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(rows, b * total + from, out, b * (to - from), to - from);
    }
    return out;
  }
}
