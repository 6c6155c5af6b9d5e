package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.stagewise.trainer.model.ModelConfig.Norm;

/** One normalisation site: LayerNorm (gain and shift), RMSNorm (gain only) or nothing. */
final class Normalization {

  private static final float EPS = 1e-5f;

  private final Norm kind;
  private final Parameter gain;
  private final Parameter shift;

  Normalization(Norm kind, String name, int width, WeightRegistry weights) {
    this.kind = kind;
    this.gain = kind == Norm.NONE ? null : weights.gain(name + ".weight", width);
    this.shift = kind == Norm.LAYERNORM ? weights.shift(name + ".bias", width) : null;
  }

  NDArray apply(NDArray x, ForwardPass pass) {
    return switch (kind) {
      case NONE -> x;
      case LAYERNORM -> x.getNDArrayInternal()
          .layerNorm(x, new Shape(x.getShape().getShape()[x.getShape().dimension() - 1]),
              pass.value(gain), pass.value(shift), EPS)
          .singletonOrThrow();
      case RMSNORM -> {
        int last = x.getShape().dimension() - 1;
        NDArray rms = x.square().mean(new int[] {last}, true).add(pass.scalar(EPS)).sqrt();
        yield x.div(rms).mul(pass.value(gain));
      }
    };
  }
}
