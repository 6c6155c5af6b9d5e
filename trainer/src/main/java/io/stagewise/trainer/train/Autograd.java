package io.stagewise.trainer.train;

import ai.djl.ndarray.NDArray;

/**
 * How a training thread records a graph and runs backward through it.
 *
 * <p>Two implementations exist because DJL's PyTorch {@code GradientCollector} is one per JVM: a second one
 * opened while another is collecting throws. That is fine for one run per process, but several workers that are
 * threads of one executor JVM ({@code local[2]}, or a GPU node with several task slots per executor) must record
 * independently. PyTorch's grad mode is a thread-local flag and its autograd engine runs concurrent backward
 * passes over disjoint graphs, so {@link #perThread()} drives both directly through the engine's JNI layer.
 */
public interface Autograd {

  /** One recording section on the calling thread: forward passes inside it build a graph. */
  interface Recording extends AutoCloseable {

    /** Accumulates {@code d loss / d parameter} into every parameter's gradient; frees the graph. */
    void backward(NDArray loss);

    /** Ends the section; the thread is back in no-grad mode. */
    @Override
    void close();
  }

  /**
   * Prepares the calling thread to train: outside recordings nothing is recorded, so the optimizer may update
   * parameters in place. (The engine sets this only on the thread that loaded it; PyTorch's default for any
   * other thread is to record.)
   */
  void prepareThread();

  /** Opens a recording section on the calling thread. */
  Recording record();

  /** DJL's {@code GradientCollector}: one recording at a time in the whole JVM. */
  static Autograd engineCollector() {
    return EngineCollectorAutograd.INSTANCE;
  }

  /** Thread-local grad mode and backward through the PyTorch JNI layer: concurrent workers in one JVM. */
  static Autograd perThread() {
    return ThreadLocalAutograd.INSTANCE;
  }
}
