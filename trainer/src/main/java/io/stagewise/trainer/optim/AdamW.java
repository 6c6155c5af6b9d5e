package io.stagewise.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * <p>The moments are two flat vectors over all parameters in order (see {@link #flatten}), so the moment and
 * direction arithmetic is a dozen operations per update whatever the parameter count, like PyTorch's
 * multi-tensor ({@code foreach}) AdamW; only the decay and the final subtraction touch each parameter. The
 * arithmetic is element-wise, so the result is bit-for-bit that of the per-parameter form. Checkpoints still
 * see one moment per parameter: {@link #moments()} returns views into the flat vectors.
 *
 * <p>Updates run outside a gradient collector, where the engine records no graph, so the parameters can be
 * changed in place. The moments live in a sub-manager of the one passed in, for the optimizer's lifetime.
 */
public final class AdamW implements AutoCloseable {

  private static final String FIRST_MOMENT = "m:";
  private static final String SECOND_MOMENT = "v:";

  private final AdamWConfig config;
  private final List<TrainableParameter> parameters;
  private final FlatLayout layout;
  private final NDManager stateManager;
  private final NDArray firstMoment;
  private final NDArray secondMoment;
  /** Per-parameter views of the flat moments, created once: what {@link #moments()} hands out. */
  private final NDList firstMoments;
  private final NDList secondMoments;
  private long step;

  public AdamW(AdamWConfig config, List<TrainableParameter> parameters, NDManager manager) {
    if (parameters.isEmpty()) {
      throw new IllegalArgumentException("AdamW needs at least one parameter");
    }
    this.config = config;
    this.parameters = List.copyOf(parameters);
    List<Shape> shapes = new ArrayList<>();
    DataType type = this.parameters.get(0).array().getDataType();
    for (TrainableParameter p : this.parameters) {
      if (p.array().getDataType() != type) {
        throw new IllegalArgumentException("parameter " + p.name() + " is " + p.array().getDataType()
            + " but " + this.parameters.get(0).name() + " is " + type
            + "; AdamW keeps one flat state and needs a single data type");
      }
      shapes.add(p.array().getShape());
    }
    this.layout = new FlatLayout(shapes);
    this.stateManager = manager.newSubManager();
    this.firstMoment = stateManager.zeros(new Shape(layout.size()), type);
    this.secondMoment = stateManager.zeros(new Shape(layout.size()), type);
    this.firstMoments = layout.views(firstMoment);
    this.secondMoments = layout.views(secondMoment);
  }

  public List<TrainableParameter> parameters() {
    return parameters;
  }

  /** Updates applied so far. */
  public long step() {
    return step;
  }

  /**
   * One flat vector of per-parameter tensors shaped like the parameters (gradients, typically), in parameter
   * order: the layout {@link #update(NDArray, double)} takes. Created in the first tensor's manager; with a
   * single parameter it is a view of that tensor.
   */
  public NDArray flatten(List<NDArray> perParameter) {
    return layout.concat(perParameter);
  }

  /** Applies one update; {@code gradients.get(i)} is the gradient of {@code parameters().get(i)}. */
  public void update(List<NDArray> gradients, double lr) {
    if (gradients.size() != parameters.size()) {
      throw new IllegalArgumentException(gradients.size() + " gradients for " + parameters.size()
          + " parameters");
    }
    try (NDArray flat = flatten(gradients)) {
      update(flat, lr);
    }
  }

  /** Applies one update from the gradients flattened by {@link #flatten}; {@code flatGradient} is not changed. */
  public void update(NDArray flatGradient, double lr) {
    if (flatGradient.size() != layout.size() || flatGradient.getShape().dimension() != 1) {
      throw new IllegalArgumentException("flat gradient of shape " + flatGradient.getShape() + " for "
          + layout.size() + " parameter elements");
    }
    step++;
    double biasCorrection1 = 1 - Math.pow(config.beta1(), step);
    double biasCorrection2 = 1 - Math.pow(config.beta2(), step);
    if (config.weightDecay() > 0) {
      decay(lr);
    }
    try (NDArray scaledGrad = flatGradient.mul((float) (1 - config.beta1()));
        NDArray gradSquared = flatGradient.square()) {
      firstMoment.muli((float) config.beta1()).addi(scaledGrad);
      secondMoment.muli((float) config.beta2()).addi(gradSquared.muli((float) (1 - config.beta2())));
    }
    try (NDArray denominator = secondMoment.sqrt();
        NDArray direction = firstMoment.div(denominator.divi((float) Math.sqrt(biasCorrection2))
            .addi((float) config.eps()));
        NDList steps = layout.views(direction.muli((float) (lr / biasCorrection1)))) {
      for (int i = 0; i < parameters.size(); i++) {
        parameters.get(i).array().subi(steps.get(i));
      }
    }
  }

  /** {@code p ← p·(1 − lr·wd)} for the decayed parameters, with one scalar array for all of them. */
  private void decay(double lr) {
    try (NDArray factor = stateManager.create((float) (1 - lr * config.weightDecay()))) {
      for (TrainableParameter p : parameters) {
        if (p.decayed()) {
          p.array().muli(factor);
        }
      }
    }
  }

  /**
   * The moments by name ({@code m:<param>}, {@code v:<param>}), in parameter order: live views of the
   * optimizer's state, for checkpoints to write; callers must not modify or close them.
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
    copyInto(firstMoment, FIRST_MOMENT, saved, source);
    copyInto(secondMoment, SECOND_MOMENT, saved, source);
    this.step = updates;
  }

  @Override
  public void close() {
    stateManager.close();
  }

  /** Copies the saved per-parameter moments with {@code prefix} into the flat {@code target}, in place. */
  private void copyInto(NDArray target, String prefix, Map<String, NDArray> saved, String source) {
    List<NDArray> ordered = new ArrayList<>(parameters.size());
    for (int i = 0; i < parameters.size(); i++) {
      String name = prefix + parameters.get(i).name();
      NDArray moment = saved.get(name);
      if (moment == null) {
        throw new IllegalArgumentException(source + ": optimizer state has no entry '" + name + "'");
      }
      if (!moment.getShape().equals(layout.shape(i)) || moment.getDataType() != target.getDataType()) {
        throw new IllegalArgumentException(source + ": optimizer state '" + name + "' is "
            + moment.getDataType() + moment.getShape() + ", expected " + target.getDataType()
            + layout.shape(i));
      }
      ordered.add(moment.toDevice(target.getDevice(), false));
    }
    // Written through an indexed assignment: it copies into the existing storage, which the views share.
    try (NDArray flat = layout.concat(ordered)) {
      target.set(new NDIndex(":"), flat);
    }
  }
}
