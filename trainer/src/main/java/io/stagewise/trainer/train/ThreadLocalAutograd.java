package io.stagewise.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * {@link Autograd} on PyTorch's thread-local grad mode, with backward called through the engine's JNI layer:
 * what DJL's collector does, minus its JVM-wide "one collector at a time" flag. Each worker thread owns its
 * model, so the graphs and gradients of concurrent workers never meet.
 */
final class ThreadLocalAutograd implements Autograd {

  static final ThreadLocalAutograd INSTANCE = new ThreadLocalAutograd();

  private ThreadLocalAutograd() {
  }

  @Override
  public void prepareThread() {
    Engine.getInstance();
    JniUtils.setGradMode(false);
  }

  @Override
  public Recording record() {
    JniUtils.setGradMode(true);
    return new Recording() {
      @Override
      public void backward(NDArray loss) {
        try (NDArray seed = loss.onesLike()) {
          JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
      }

      @Override
      public void close() {
        JniUtils.setGradMode(false);
      }
    };
  }

  @Override
  public String toString() {
    return "per-thread";
  }
}
