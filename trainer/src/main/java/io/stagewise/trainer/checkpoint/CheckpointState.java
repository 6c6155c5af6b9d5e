package io.stagewise.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.trainer.data.DataPosition;

/**
 * Everything a checkpoint holds besides tensors.
 *
 * @param step optimizer updates done
 * @param tokens cumulative training tokens
 * @param flops cumulative training FLOPs
 * @param data where the next training batch starts
 * @param seed the run seed; with {@code step} it fixes every random draw still to come (each worker's dropout
 *     stream is positioned at (seed, step, rank) before each step and the data order is a function of
 *     (seed, epoch))
 * @param model the model configuration the parameters belong to
 * @param train the training configuration
 */
public record CheckpointState(long step, long tokens, double flops, DataPosition data, long seed, JsonNode model,
    JsonNode train) {

  public CheckpointState {
    if (step < 0) {
      throw new IllegalArgumentException("checkpoint step must be >= 0, got " + step);
    }
    if (data == null || model == null || train == null) {
      throw new IllegalArgumentException("checkpoint state needs data, model and train");
    }
  }
}
