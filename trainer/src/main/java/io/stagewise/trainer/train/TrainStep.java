package io.stagewise.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.GlobalNormClipping;
import io.stagewise.trainer.optim.TrainableParameter;
import java.util.ArrayList;
import java.util.List;

/**
 * One optimizer update: zero the gradients, forward/backward each micro-batch, clip by global norm, AdamW.
 *
 * <p>Each micro-batch's loss is {@code Σ target losses / N + auxLoss / M}, with N the counted targets of the
 * whole batch and M the number of micro-batches, so accumulated gradients equal those of one pass over the
 * whole batch. Scalars enter the graph as arrays owned by the micro-batch's manager: DJL turns a Java number
 * into a temporary tensor that may be freed before backward reads it.
 *
 * <p>Every array a micro-batch creates lives in its own sub-manager and {@link NDScope}, closed right after
 * its backward, so activations never outlive their micro-batch. The engine is re-seeded from (seed, step)
 * before the first forward: dropout masks are a function of the step alone, which makes resumed runs
 * reproduce uninterrupted ones.
 */
public final class TrainStep {

    private static final NDIndex WITHOUT_LAST = new NDIndex(":, :-1");

    private final GptModel model;
    private final Objective objective;
    private final AdamW optimizer;
    private final NDManager manager;
    private final ParameterStore store;
    private final int microBatches;
    private final double clipNorm;
    private final long seed;

    public TrainStep(GptModel model, Objective objective, AdamW optimizer, NDManager manager, int microBatches,
            double clipNorm, long seed) {
        this.model = model;
        this.objective = objective;
        this.optimizer = optimizer;
        this.manager = manager;
        this.store = new ParameterStore(manager, false);
        this.microBatches = microBatches;
        this.clipNorm = clipNorm;
        this.seed = seed;
    }

    /**
     * What one update measured.
     *
     * @param loss mean objective loss over the batch's counted targets (the MoE auxiliary loss excluded)
     * @param gradNorm global gradient norm before clipping
     * @param targets counted targets of the batch
     */
    public record Result(double loss, double gradNorm, long targets) {
    }

    /** Runs update number {@code step} (1-based) on {@code batch} with learning rate {@code lr}. */
    public Result run(TokenBatch batch, long step, double lr) {
        if (batch.rows() % microBatches != 0) {
            throw new IllegalArgumentException("batch of " + batch.rows() + " rows does not split into "
                    + microBatches + " micro-batches");
        }
        Engine.getInstance().setRandomSeed(stepSeed(seed, step));
        List<TrainableParameter> parameters = optimizer.parameters();
        for (TrainableParameter p : parameters) {
            JniUtils.zeroGrad((PtNDArray) p.array());
        }
        long targets = objective.targets(batch);
        // A batch whose targets were all truncated away contributes zero loss rather than 0/0.
        double perTarget = 1.0 / Math.max(1, targets);
        double lossSum = 0;
        int rows = batch.rows() / microBatches;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (int m = 0; m < microBatches; m++) {
                lossSum += microBatch(collector, batch.slice(m * rows, (m + 1) * rows), perTarget);
            }
        }
        try (NDScope scope = new NDScope(); NDManager stepManager = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            List<NDArray> gradients = new ArrayList<>(parameters.size());
            for (TrainableParameter p : parameters) {
                NDArray gradient = p.array().getGradient();
                gradient.attach(stepManager);
                gradients.add(gradient);
            }
            double gradNorm = GlobalNormClipping.clip(gradients, clipNorm);
            if (!Double.isFinite(gradNorm) || !Double.isFinite(lossSum)) {
                throw new ArithmeticException("step " + step + ": non-finite loss (" + lossSum * perTarget
                        + ") or gradient norm (" + gradNorm + "); lower the learning rate or check the data");
            }
            optimizer.update(gradients, lr);
            return new Result(lossSum * perTarget, gradNorm, targets);
        }
    }

    /** Forward and backward of one micro-batch; returns its summed target loss. */
    private double microBatch(GradientCollector collector, TokenBatch micro, double perTarget) {
        try (NDScope scope = new NDScope(); NDManager local = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray tokens = micro.tokens(local);
            NDList outputs = model.forward(store, new NDList(tokens.get(WITHOUT_LAST)), true);
            NDArray targetSum = objective.targetLossSum(outputs.get(0), micro, local);
            NDArray loss = targetSum.mul(local.create((float) perTarget))
                    .add(outputs.get(1).mul(local.create(1f / microBatches)));
            collector.backward(loss);
            return targetSum.getFloat();
        }
    }

    /** The engine seed of update {@code step}: a SplitMix64 mix of (seed, step), folded to an int. */
    static int stepSeed(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) (z ^ (z >>> 32));
    }
}
