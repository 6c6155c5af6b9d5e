package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import java.util.Arrays;

/**
 * Prompt + response rows packed for one forward pass, as TRL packs its query-responses: prompts left-padded to
 * the longest (an attention mask hides the padding and positions count from each row's first real token, so a
 * row computes what it would alone), responses right-padded to the longest. Column {@code P − 1 + t} (P the
 * padded prompt width) is the state before response token t: its logits predict token t and its value is
 * {@code V_t}.
 */
public final class PackedResponses {

  private final int rows;
  private final int promptWidth;
  private final int responseWidth;
  private final int[] tokens;
  private final long[] attention;
  private final int[] responseTokens;
  private final float[] responseMask;

  public PackedResponses(int[][] prompts, int[][] responses) {
    this.rows = prompts.length;
    int p = 1;
    int r = 1;
    for (int i = 0; i < rows; i++) {
      p = Math.max(p, prompts[i].length);
      r = Math.max(r, responses[i].length);
    }
    this.promptWidth = p;
    this.responseWidth = r;
    int width = p + r;
    this.tokens = new int[rows * width];
    this.attention = new long[rows * width];
    this.responseTokens = new int[rows * r];
    this.responseMask = new float[rows * r];
    for (int i = 0; i < rows; i++) {
      int pad = p - prompts[i].length;
      System.arraycopy(prompts[i], 0, tokens, i * width + pad, prompts[i].length);
      System.arraycopy(responses[i], 0, tokens, i * width + p, responses[i].length);
      Arrays.fill(attention, i * width + pad, (i + 1) * width, 1L);
      System.arraycopy(responses[i], 0, responseTokens, i * r, responses[i].length);
      Arrays.fill(responseMask, i * r, i * r + responses[i].length, 1f);
    }
  }

  public int rows() {
    return rows;
  }

  /** Columns of a packed row: padded prompt and padded response. */
  public int width() {
    return promptWidth + responseWidth;
  }

  public int responseWidth() {
    return responseWidth;
  }

  /** (rows, responseWidth) 1 for a real response token, 0 for padding. */
  public NDArray responseMask(NDManager manager) {
    return manager.create(responseMask, new Shape(rows, responseWidth));
  }

  /** FLOPs of one forward pass of a model of {@code config} over the packed rows. */
  public double forwardFlops(ModelConfig config) {
    return FlopCounter.forwardFlops(config, rows, width());
  }

  /** Runs {@code model} over the packed rows; returns its first output (logits or values) for every column. */
  public NDArray forward(GptModel model, ParameterStore store, NDManager manager) {
    NDArray input = manager.create(tokens, new Shape(rows, width()));
    NDArray mask = manager.create(attention, new Shape(rows, width()));
    NDList out = model.forward(store, input, mask, null, false);
    return out.get(0);
  }

  /**
   * (rows, responseWidth) log-probability of each response token under {@code logits / temperature}, from an LM's
   * output over every column (padding columns hold garbage the response mask removes).
   */
  public NDArray logProbs(NDArray logits, float temperature, NDManager manager) {
    NDIndex columns = new NDIndex(":, {}:{}, :", promptWidth - 1, promptWidth - 1 + responseWidth);
    NDArray states = logits.get(columns).div(manager.create(temperature));
    NDArray targets = manager.create(responseTokens, new Shape(rows, responseWidth))
        .toType(DataType.INT64, false).expandDims(-1);
    return states.logSoftmax(-1).gather(targets, -1).squeeze(-1);
  }

  /** (rows, responseWidth) value of the state before each response token, from a scalar model's output. */
  public NDArray values(NDArray values) {
    return values.get(new NDIndex(":, {}:{}", promptWidth - 1, promptWidth - 1 + responseWidth));
  }

  /** Row i's first {@code responses[i].length} entries of a (rows, responseWidth) host array. */
  public float[][] perResponse(float[] flat, int[][] responses) {
    float[][] out = new float[rows][];
    for (int i = 0; i < rows; i++) {
      out[i] = Arrays.copyOfRange(flat, i * responseWidth, i * responseWidth + responses[i].length);
    }
    return out;
  }
}
