package io.stagewise.trainer.train.ppo;

import io.stagewise.trainer.collective.Collective;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Gives every worker the whole rollout batch from the slices the workers rolled out. Each worker writes its rows
 * into its own slots of a zeroed buffer and the group sums the buffers: every slot then holds one worker's value
 * plus zeros, which float addition keeps exact, so every worker ends with the rows bit for bit. Whitening,
 * advantages and the mini-batch split then run on the whole batch on every worker, as on one.
 */
public final class RolloutExchange {

  private final Collective collective;
  private final int promptCap;
  private final int responseLength;

  /**
   * @param promptCap the longest prompt a row may hold
   * @param responseLength the longest response a row may hold
   */
  public RolloutExchange(Collective collective, int promptCap, int responseLength) {
    this.collective = collective;
    this.promptCap = promptCap;
    this.responseLength = responseLength;
  }

  /** Rows {@code [first, first + mine.rows())} of a batch of {@code total} rows are {@code mine}. */
  public Rollout gather(Rollout mine, int first, int total) {
    if (collective.worldSize() == 1) {
      return mine;
    }
    int stride = 3 + promptCap + 4 * responseLength;
    FloatBuffer buffer = ByteBuffer.allocateDirect(Math.multiplyExact(total * stride, Float.BYTES))
        .order(ByteOrder.nativeOrder()).asFloatBuffer();
    for (int i = 0; i < mine.rows(); i++) {
      write(mine, i, buffer, (first + i) * stride);
    }
    collective.allReduceSum(buffer);
    int[][] prompts = new int[total][];
    int[][] responses = new int[total][];
    float[][] logProbs = new float[total][];
    float[][] refLogProbs = new float[total][];
    float[][] values = new float[total][];
    float[] scores = new float[total];
    for (int row = 0; row < total; row++) {
      int at = row * stride;
      int p = (int) buffer.get(at);
      int r = (int) buffer.get(at + 1);
      scores[row] = buffer.get(at + 2);
      prompts[row] = ints(buffer, at + 3, p);
      int response = at + 3 + promptCap;
      responses[row] = ints(buffer, response, r);
      logProbs[row] = floats(buffer, response + responseLength, r);
      refLogProbs[row] = floats(buffer, response + 2 * responseLength, r);
      values[row] = floats(buffer, response + 3 * responseLength, r);
    }
    return new Rollout(prompts, responses, logProbs, refLogProbs, values, scores);
  }

  private void write(Rollout rollout, int i, FloatBuffer buffer, int at) {
    int[] prompt = rollout.prompts()[i];
    int[] response = rollout.responses()[i];
    if (prompt.length > promptCap || response.length > responseLength) {
      throw new IllegalArgumentException("rollout row of " + prompt.length + " prompt and " + response.length
          + " response tokens exceeds " + promptCap + " and " + responseLength);
    }
    buffer.put(at, prompt.length);
    buffer.put(at + 1, response.length);
    buffer.put(at + 2, rollout.scores()[i]);
    for (int t = 0; t < prompt.length; t++) {
      buffer.put(at + 3 + t, prompt[t]);
    }
    int base = at + 3 + promptCap;
    for (int t = 0; t < response.length; t++) {
      buffer.put(base + t, response[t]);
      buffer.put(base + responseLength + t, rollout.logProbs()[i][t]);
      buffer.put(base + 2 * responseLength + t, rollout.refLogProbs()[i][t]);
      buffer.put(base + 3 * responseLength + t, rollout.values()[i][t]);
    }
  }

  private static int[] ints(FloatBuffer buffer, int at, int length) {
    int[] out = new int[length];
    for (int t = 0; t < length; t++) {
      out[t] = (int) buffer.get(at + t);
    }
    return out;
  }

  private static float[] floats(FloatBuffer buffer, int at, int length) {
    float[] out = new float[length];
    for (int t = 0; t < length; t++) {
      out[t] = buffer.get(at + t);
    }
    return out;
  }
}
