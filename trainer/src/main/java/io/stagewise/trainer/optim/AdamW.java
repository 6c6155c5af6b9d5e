package io.stagewise.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter), written with NDArray ops so that its whole state
 * (first and second moments per parameter and the update count) can be checkpointed: DJL's {@code Adam} keeps
 * that state private. One instance serves both parameter groups; {@link TrainableParameter#decayed()} decides
 * whether the decay term applies, which is what two DJL optimizers with different weight decays would do.
 *
 * <p>Per update t, with g the (clipped) gradient: {@code p ← p·(1 − lr·wd)} (decayed parameters only),
 * {@code m ← β1·m + (1 − β1)·g}, {@code v ← β2·v + (1 − β2)·g²},
 * {@code p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)} — PyTorch's {@code AdamW} arithmetic.
 *
 * <p>Updates run outside a gradient collector, where the engine records no graph, so the parameters can be
 * changed in place. The moments live in a sub-manager of the one passed in, for the optimizer's lifetime.
 */
public final class AdamW implements AutoCloseable {

    private static final String FIRST_MOMENT = "m:";
    private static final String SECOND_MOMENT = "v:";

    private final AdamWConfig config;
    private final List<TrainableParameter> parameters;
    private final NDManager stateManager;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private long step;

    public AdamW(AdamWConfig config, List<TrainableParameter> parameters, NDManager manager) {
        this.config = config;
        this.parameters = List.copyOf(parameters);
        this.stateManager = manager.newSubManager();
        for (TrainableParameter p : this.parameters) {
            firstMoments.add(stateManager.zeros(p.array().getShape(), p.array().getDataType()));
            secondMoments.add(stateManager.zeros(p.array().getShape(), p.array().getDataType()));
        }
    }

    public List<TrainableParameter> parameters() {
        return parameters;
    }

    /** Updates applied so far. */
    public long step() {
        return step;
    }

    /** Applies one update; {@code gradients.get(i)} is the gradient of {@code parameters().get(i)}. */
    public void update(List<NDArray> gradients, double lr) {
        if (gradients.size() != parameters.size()) {
            throw new IllegalArgumentException(gradients.size() + " gradients for " + parameters.size()
                    + " parameters");
        }
        step++;
        double biasCorrection1 = 1 - Math.pow(config.beta1(), step);
        double biasCorrection2 = 1 - Math.pow(config.beta2(), step);
        for (int i = 0; i < parameters.size(); i++) {
            TrainableParameter p = parameters.get(i);
            if (p.decayed() && config.weightDecay() > 0) {
                p.array().muli((float) (1 - lr * config.weightDecay()));
            }
            updateParameter(p.array(), gradients.get(i), firstMoments.get(i), secondMoments.get(i), lr,
                    biasCorrection1, biasCorrection2);
        }
    }

    private void updateParameter(NDArray weight, NDArray grad, NDArray m, NDArray v, double lr,
            double biasCorrection1, double biasCorrection2) {
        try (NDArray scaledGrad = grad.mul((float) (1 - config.beta1()));
                NDArray gradSquared = grad.square()) {
            m.muli((float) config.beta1()).addi(scaledGrad);
            v.muli((float) config.beta2()).addi(gradSquared.muli((float) (1 - config.beta2())));
        }
        try (NDArray denominator = v.sqrt();
                NDArray direction = m.div(denominator.divi((float) Math.sqrt(biasCorrection2))
                        .addi((float) config.eps()))) {
            weight.subi(direction.muli((float) (lr / biasCorrection1)));
        }
    }

    /**
     * The moments by name ({@code m:<param>}, {@code v:<param>}), in parameter order: the live arrays, for
     * checkpoints to write; callers must not modify them.
     */
    public Map<String, NDArray> moments() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            state.put(FIRST_MOMENT + parameters.get(i).name(), firstMoments.get(i));
            state.put(SECOND_MOMENT + parameters.get(i).name(), secondMoments.get(i));
        }
        return state;
    }

    /** Restores moments written from {@link #moments()} and the update count; {@code source} names the origin. */
    public void restore(Map<String, NDArray> saved, long updates, String source) {
        for (int i = 0; i < parameters.size(); i++) {
            String name = parameters.get(i).name();
            copyInto(firstMoments.get(i), saved.get(FIRST_MOMENT + name), FIRST_MOMENT + name, source);
            copyInto(secondMoments.get(i), saved.get(SECOND_MOMENT + name), SECOND_MOMENT + name, source);
        }
        this.step = updates;
    }

    @Override
    public void close() {
        stateManager.close();
    }

    private static void copyInto(NDArray target, NDArray saved, String name, String source) {
        if (saved == null) {
            throw new IllegalArgumentException(source + ": optimizer state has no entry '" + name + "'");
        }
        if (!target.getShape().equals(saved.getShape()) || target.getDataType() != saved.getDataType()) {
            throw new IllegalArgumentException(source + ": optimizer state '" + name + "' is " + saved.getDataType()
                    + saved.getShape() + ", expected " + target.getDataType() + target.getShape());
        }
        target.set(saved.toByteBuffer());
    }
}
