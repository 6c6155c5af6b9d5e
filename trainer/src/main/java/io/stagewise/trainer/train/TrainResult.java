package io.stagewise.trainer.train;

import io.stagewise.trainer.model.ModelConfig;
import java.net.URI;

/**
 * What a finished run produced.
 *
 * @param progress final step, tokens, FLOPs and data position
 * @param model the resolved model configuration
 * @param parameters trainable scalars of the model
 * @param checkpoint the latest checkpoint directory
 * @param metrics the metrics file
 */
public record TrainResult(TrainProgress progress, ModelConfig model, long parameters, URI checkpoint, URI metrics) {
}
