package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the tokens already processed, so that each generation step only
 * runs the new token. Keys are stored after the rotary rotation, shaped (B, kvHeads, capacity, headDim).
 *
 * <p>Each layer's arrays are allocated once, at its first append, for {@code capacity} tokens and written in
 * place, so a step costs the new tokens only (no copy of the cache) and memory stays what the cache needs.
 * Attention reads views of the filled prefix that belong to the forward pass's manager: DJL attaches an op's
 * result to the manager of its input, and every op on an array of this cache's manager would otherwise live
 * (and pin its inputs) until the cache is closed. For inference only: nothing here may be needed by backward.
 */
public final class KvCache implements AutoCloseable {

  private final NDManager manager;
  private final int capacity;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  /**
   * An empty cache for {@code layers} layers and up to {@code capacity} tokens (padding included); its arrays
   * live in a sub-manager of {@code parent} that {@link #close()} releases.
   */
  public KvCache(NDManager parent, int layers, int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("KV cache capacity must be > 0, got " + capacity);
    }
    this.manager = parent.newSubManager();
    this.capacity = capacity;
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Tokens held (including left padding), the same for every row. */
  public int length() {
    return length;
  }

  /** Tokens the cache can hold. */
  public int capacity() {
    return capacity;
  }

  /**
   * Writes one layer's new keys and values (B, kvHeads, T, d) after the cached ones and returns views of the
   * whole (cached + new) prefix, owned by {@code scope}.
   */
  NDArray[] append(int layer, NDArray newKeys, NDArray newValues, NDManager scope) {
    int end = length + Math.toIntExact(newKeys.getShape().get(2));
    if (end > capacity) {
      throw new IllegalStateException("KV cache full: " + end + " tokens exceed its capacity of " + capacity);
    }
    if (keys[layer] == null) {
      keys[layer] = allocate(newKeys);
      values[layer] = allocate(newValues);
    }
    NDIndex fresh = new NDIndex(":, :, {}:{}", length, end);
    keys[layer].set(fresh, newKeys);
    values[layer].set(fresh, newValues);
    NDIndex prefix = new NDIndex(":, :, :{}", end);
    return new NDArray[] {view(keys[layer], prefix, scope), view(values[layer], prefix, scope)};
  }

  /** Called once every layer has appended the same number of new tokens. */
  void advance(int newTokens) {
    length += newTokens;
  }

  private NDArray allocate(NDArray first) {
    Shape shape = first.getShape();
    return manager.zeros(new Shape(shape.get(0), shape.get(1), capacity, shape.get(3)), first.getDataType());
  }

  private static NDArray view(NDArray whole, NDIndex prefix, NDManager scope) {
    NDArray view = whole.get(prefix);
    view.attach(scope);
    return view;
  }

  @Override
  public void close() {
    manager.close();
  }
}
