package io.stagewise.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/** {@link Autograd} through DJL's public {@link GradientCollector}; a second concurrent recording throws. */
final class EngineCollectorAutograd implements Autograd {

  static final EngineCollectorAutograd INSTANCE = new EngineCollectorAutograd();

  private EngineCollectorAutograd() {
  }

  @Override
  public void prepareThread() {
    Engine.getInstance();
    JniUtils.setGradMode(false);
  }

  @Override
  public Recording record() {
    GradientCollector collector = Engine.getInstance().newGradientCollector();
    return new Recording() {
      @Override
      public void backward(NDArray loss) {
        collector.backward(loss);
      }

      @Override
      public void close() {
        collector.close();
        // The collector restores the mode it found, which is "record" on a thread the engine did not load on.
        JniUtils.setGradMode(false);
      }
    };
  }

  @Override
  public String toString() {
    return "engine-collector";
  }
}
