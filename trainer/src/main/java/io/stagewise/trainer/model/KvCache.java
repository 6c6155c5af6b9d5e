package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every layer for the tokens already processed, so that each generation step only
 * runs the new token. Keys are stored after the rotary rotation, shaped (B, kvHeads, length, headDim).
 * For inference only: arrays replaced by an append are closed, so nothing here may be needed by backward.
 */
public final class KvCache implements AutoCloseable {

  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  /**
   * An empty cache for {@code layers} layers; its arrays live in a sub-manager of {@code parent} that
   * {@link #close()} releases.
   */
  public KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Tokens held (including left padding), the same for every row. */
  public int length() {
    return length;
  }

  /** Appends one layer's new keys and values along time and returns the whole (cached + new) arrays. */
  NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
    keys[layer] = concatAndRelease(keys[layer], newKeys);
    values[layer] = concatAndRelease(values[layer], newValues);
    return new NDArray[] {keys[layer], values[layer]};
  }

  /** Called once every layer has appended the same number of new tokens. */
  void advance(int newTokens) {
    length += newTokens;
  }

  private NDArray concatAndRelease(NDArray old, NDArray fresh) {
    NDArray whole = old == null ? fresh.duplicate() : old.concat(fresh, 2);
    whole.attach(manager);
    if (old != null) {
      old.close();
    }
    return whole;
  }

  @Override
  public void close() {
    manager.close();
  }
}
