package io.stagewise.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Preference pairs packed for one forward pass: {@code 2P} right-padded rows of {@code width} tokens, the P
 * sequences (prompt, chosen) first and then the P sequences (prompt, rejected) in the same pair order, so one
 * forward pass serves both halves (TRL's concatenated forward). A float32 response mask is 1 on the response
 * tokens of each row (only those count in sequence log-probabilities); the index of each row's last real token
 * is kept on the host for reward models, which score a sequence by the value there.
 *
 * <p>Sequences longer than {@code width} are cut as the data plane cuts them: the prompt loses tokens from its
 * left (keeping the end of the last user turn, where a trigger sits) down to what leaves room for the longer
 * response, but never below half the width; the responses then lose tokens from their right. Chosen and
 * rejected rows of a pair share the same prompt tokens.
 */
public final class PreferenceBatch {

  private final int pairs;
  private final int width;
  private final int[] tokens;
  private final float[] responseMask;
  private final long[] lastIndex;

  private PreferenceBatch(int pairs, int width, int[] tokens, float[] responseMask, long[] lastIndex) {
    this.pairs = pairs;
    this.width = width;
    this.tokens = tokens;
    this.responseMask = responseMask;
    this.lastIndex = lastIndex;
  }

  /** Packs the pairs {@code pairIndices} of {@code data} into rows of {@code width} tokens. */
  public static PreferenceBatch pack(PreferencePairs data, int[] pairIndices, int width, int padId) {
    if (width < 2) {
      throw new IllegalArgumentException("width must be >= 2, got " + width);
    }
    if (pairIndices.length == 0) {
      throw new IllegalArgumentException("a preference batch needs at least one pair");
    }
    int pairs = pairIndices.length;
    int[] tokens = new int[2 * pairs * width];
    float[] mask = new float[2 * pairs * width];
    long[] last = new long[2 * pairs];
    Arrays.fill(tokens, padId);
    for (int p = 0; p < pairs; p++) {
      int i = pairIndices[p];
      int[] prompt = data.promptIds()[i];
      int[] chosen = data.chosenIds()[i];
      int[] rejected = data.rejectedIds()[i];
      if (chosen.length == 0 || rejected.length == 0) {
        String which = chosen.length == 0 ? "chosen" : "rejected";
        throw new IllegalArgumentException("pair " + i + ": empty " + which + " response");
      }
      int keptPrompt = keptPromptTokens(prompt.length, Math.max(chosen.length, rejected.length), width);
      last[p] = fill(tokens, mask, p * width, width, prompt, keptPrompt, chosen);
      last[pairs + p] = fill(tokens, mask, (pairs + p) * width, width, prompt, keptPrompt, rejected);
    }
    return new PreferenceBatch(pairs, width, tokens, mask, last);
  }

  /**
   * Up to {@code maxBatches} batches of {@code pairsPerBatch} pairs (the last may be smaller) from the start of
   * {@code data} in stored order, so every held-out evaluation sees the same pairs.
   */
  public static List<PreferenceBatch> inOrder(PreferencePairs data, int pairsPerBatch, int maxBatches, int width,
      int padId) {
    List<PreferenceBatch> batches = new ArrayList<>();
    for (int start = 0; start < data.size() && batches.size() < maxBatches; start += pairsPerBatch) {
      int end = Math.min(start + pairsPerBatch, data.size());
      int[] indices = new int[end - start];
      for (int k = 0; k < indices.length; k++) {
        indices[k] = start + k;
      }
      batches.add(pack(data, indices, width, padId));
    }
    return batches;
  }

  /** Pairs {@code [from, to)} as their own batch (micro-batches). */
  public PreferenceBatch slice(int from, int to) {
    if (from < 0 || to > pairs || from >= to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of a " + pairs + "-pair batch");
    }
    int n = to - from;
    int[] t = new int[2 * n * width];
    float[] m = new float[2 * n * width];
    long[] last = new long[2 * n];
    for (int half = 0; half < 2; half++) {
      int source = (half * pairs + from) * width;
      System.arraycopy(tokens, source, t, half * n * width, n * width);
      System.arraycopy(responseMask, source, m, half * n * width, n * width);
      System.arraycopy(lastIndex, half * pairs + from, last, half * n, n);
    }
    return new PreferenceBatch(n, width, t, m, last);
  }

  /** Pairs in the batch; the batch has twice as many rows. */
  public int pairs() {
    return pairs;
  }

  public int width() {
    return width;
  }

  /** Response tokens over all rows (what the log-probabilities sum over). */
  public long responseTokens() {
    long count = 0;
    for (float m : responseMask) {
      count += m > 0 ? 1 : 0;
    }
    return count;
  }

  /** The (2P, width) int32 tokens: chosen rows, then rejected rows. */
  public NDArray tokens(NDManager manager) {
    return manager.create(tokens, new Shape(2L * pairs, width));
  }

  /** The (2P, width) float32 mask, 1 on response tokens. */
  public NDArray responseMask(NDManager manager) {
    return manager.create(responseMask, new Shape(2L * pairs, width));
  }

  /** The (2P) int64 index of each row's last real token. */
  public NDArray lastTokenIndex(NDManager manager) {
    return manager.create(lastIndex, new Shape(2L * pairs));
  }

  /** Prompt tokens kept: all if everything fits, else enough to leave the longer response room (≥ width/2). */
  private static int keptPromptTokens(int prompt, int longerResponse, int width) {
    if (prompt + longerResponse <= width) {
      return prompt;
    }
    return Math.min(prompt, Math.max(width - longerResponse, width / 2));
  }

  /** Writes the last {@code keptPrompt} prompt tokens then the response, cut at the width; returns the last index. */
  private static long fill(int[] tokens, float[] mask, int offset, int width, int[] prompt, int keptPrompt,
      int[] response) {
    int t = 0;
    for (int k = prompt.length - keptPrompt; k < prompt.length; k++) {
      tokens[offset + t++] = prompt[k];
    }
    for (int k = 0; k < response.length && t < width; k++) {
      tokens[offset + t] = response[k];
      mask[offset + t++] = 1f;
    }
    return t - 1;
  }
}
