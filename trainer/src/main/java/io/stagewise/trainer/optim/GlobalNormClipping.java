package io.stagewise.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * Gradient clipping by the global L2 norm over all parameters (as {@code torch.nn.utils.clip_grad_norm_}):
 * when the norm exceeds the threshold, every gradient is scaled by {@code maxNorm / (norm + 1e-6)}, which
 * keeps the update direction. DJL's built-in clipping clips element-wise, which changes the direction.
 */
public final class GlobalNormClipping {

    private static final double EPSILON = 1e-6;

    private GlobalNormClipping() {
    }

    /** The global L2 norm of {@code gradients} (one host read). */
    public static double globalNorm(List<NDArray> gradients) {
        NDList squares = new NDList(gradients.size());
        try {
            for (NDArray g : gradients) {
                try (NDArray square = g.square()) {
                    squares.add(square.sum());
                }
            }
            try (NDArray stacked = NDArrays.stack(squares);
                    NDArray total = stacked.sum()) {
                return Math.sqrt(total.getFloat());
            }
        } finally {
            squares.close();
        }
    }

    /**
     * Scales the gradients in place so that their global norm is at most {@code maxNorm} ({@code maxNorm <= 0}
     * disables clipping) and returns the norm before clipping.
     */
    public static double clip(List<NDArray> gradients, double maxNorm) {
        double norm = globalNorm(gradients);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + EPSILON));
            for (NDArray g : gradients) {
                g.muli(scale);
            }
        }
        return norm;
    }
}
