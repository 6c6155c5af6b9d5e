package io.stagewise.trainer.train;

import io.stagewise.trainer.data.DataPosition;

/**
 * How far a run has come.
 *
 * @param step optimizer updates done
 * @param tokens cumulative tokens processed (rows × sequence length)
 * @param flops cumulative training FLOPs
 * @param data position of the next training batch
 */
public record TrainProgress(long step, long tokens, double flops, DataPosition data) {

  public static final TrainProgress START = new TrainProgress(0, 0, 0, DataPosition.START);
}
