package io.stagewise.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelConfig.Mlp;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Tiny configurations and the forward/backward plumbing the model tests share. */
final class ModelFixtures {

  static final int VOCAB = 37;

  private ModelFixtures() {}

  /** 2 layers, width 16, 4 heads, context 16: runs in milliseconds. */
  static ModelConfig tiny() {
    return new ModelConfig(VOCAB, 16, 2, 4, 4, 16, 32, Norm.LAYERNORM, Position.LEARNED, Attention.STANDARD,
        Mlp.DENSE, 0, 0, 0f, true, Head.LM, 4, 0.01f, BlockSparsity.REFERENCE);
  }

  static int[] randomTokens(long seed, int count) {
    Random random = new Random(seed);
    int[] tokens = new int[count];
    for (int i = 0; i < count; i++) {
      tokens[i] = random.nextInt(VOCAB);
    }
    return tokens;
  }

  static NDArray tokens(NDManager manager, long seed, int batch, int steps) {
    return manager.create(randomTokens(seed, batch * steps), new Shape(batch, steps));
  }

  /** Output 0 of an inference forward, copied to the host. */
  static float[] outputs(GptModel model, NDManager manager, NDArray tokens, NDArray mask) {
    try (NDManager step = manager.newSubManager()) {
      tokens.attach(step);
      NDList inputs = mask == null ? new NDList(tokens) : new NDList(tokens, mask);
      return model.forward(new ParameterStore(step, false), inputs, false).get(0).toFloatArray();
    }
  }

  /**
   * Gradients of a fixed pseudo-random projection of the output (plus the aux loss) for every parameter,
   * by name; the model's gradients are zeroed again afterwards. {@code betweenForwardAndBackward} runs in
   * the gap (e.g. to force garbage collection).
   */
  static Map<String, float[]> gradients(GptModel model, NDManager manager, NDArray tokens, NDArray mask,
      Runnable betweenForwardAndBackward) {
    Map<String, float[]> gradients = new LinkedHashMap<>();
    try (NDManager step = manager.newSubManager()) {
      tokens.attach(step);
      NDList inputs = mask == null ? new NDList(tokens) : new NDList(tokens, mask);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDList out = model.forward(new ParameterStore(step, false), inputs, true);
        NDArray loss = out.get(0).mul(projection(step, out.get(0).getShape())).sum().add(out.get(1));
        betweenForwardAndBackward.run();
        collector.backward(loss);
      }
      for (Pair<String, Parameter> p : model.getParameters()) {
        NDArray gradient = p.getValue().getArray().getGradient();
        gradient.attach(step);
        gradients.put(p.getKey(), gradient.toFloatArray());
        // getGradient() views .grad, which the collector accumulates into: reset it in place.
        gradient.subi(gradient);
      }
    }
    return gradients;
  }

  /** A deterministic pseudo-random (not engine-seeded) weighting of every output element. */
  static NDArray projection(NDManager manager, Shape shape) {
    Random random = new Random(99);
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return manager.create(values, shape);
  }

  static float maxAbsDiff(float[] a, float[] b) {
    float max = 0f;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  static float maxAbs(float[] a) {
    float max = 0f;
    for (float v : a) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
