package io.stagewise.trainer.model.precision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;

/**
 * A scripted module ({@link ScriptArchive}) loaded once and called on arrays of any manager. It holds no
 * tensors, so any thread may call it; its result belongs to the manager of the first input.
 */
final class ScriptedModule {

  private final PtSymbolBlock block;

  /** Loads {@code class name(Module)} with {@code forward(self, parameters)} returning {@code body}'s tensor. */
  ScriptedModule(NDManager owner, String name, String parameters, String body) {
    this.block = ScriptArchive.load(owner, name, parameters, body);
  }

  /**
   * Runs the module in training mode always: that only leaves autograd to the calling thread's grad mode, as
   * every other operator of the forward pass does, and never flips the module's shared mode between calls.
   */
  NDArray call(NDArray... arrays) {
    NDList inputs = new NDList(arrays.length);
    for (NDArray array : arrays) {
      inputs.add(unnamed(array));
    }
    NDManager manager = arrays[0].getManager();
    return block.forward(new ParameterStore(manager, false), inputs, true).singletonOrThrow();
  }

  /**
   * The array itself, or a view of it without its name: DJL passes an array whose name has a dot (as the
   * parameters' names do) to a scripted module as an entry of a dictionary, not as a tensor argument.
   */
  private static NDArray unnamed(NDArray array) {
    return array.getName() == null ? array : array.reshape(array.getShape());
  }
}
