package io.stagewise.trainer.optim;

import ai.djl.ndarray.NDArray;

/**
 * A parameter the optimizer updates: its stable hierarchical name (the key of its optimizer state in
 * checkpoints), its array, and whether weight decay applies to it (matrices yes; biases, norms, gains no).
 */
public record TrainableParameter(String name, NDArray array, boolean decayed) {
}
