package io.stagewise.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.trainer.data.DataPosition;
import java.util.Map;

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
 * @param loraBases the frozen bases of a LoRA run's models ({@link LoraBase#MODEL}, and {@link LoraBase#VALUE}
 *     for PPO's value model), whose adapters alone the checkpoint holds; empty without LoRA
 */
public record CheckpointState(long step, long tokens, double flops, DataPosition data, long seed, JsonNode model,
    JsonNode train, Map<String, LoraBase> loraBases) {

  /** The state of a run without LoRA adapters. */
  public CheckpointState(long step, long tokens, double flops, DataPosition data, long seed, JsonNode model,
      JsonNode train) {
    this(step, tokens, flops, data, seed, model, train, Map.of());
  }

  public CheckpointState {
    if (step < 0) {
      throw new IllegalArgumentException("checkpoint step must be >= 0, got " + step);
    }
    if (data == null || model == null || train == null) {
      throw new IllegalArgumentException("checkpoint state needs data, model and train");
    }
    loraBases = loraBases == null ? Map.of() : Map.copyOf(loraBases);
  }
}
