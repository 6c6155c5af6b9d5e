package io.stagewise.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Where each tensor of a fixed list (the parameters, in order) sits in one flat vector: an element-wise
 * optimizer then runs a handful of large operations instead of a handful per parameter, which on the CPU
 * is what a step of a small model spends its per-operator overhead on.
 */
final class FlatLayout {

  private final Shape[] shapes;
  /** Where parameter i+1 starts, for i < count − 1: the split points of a flat vector. */
  private final long[] cuts;
  private final long size;

  FlatLayout(List<Shape> shapes) {
    this.shapes = shapes.toArray(new Shape[0]);
    this.cuts = new long[Math.max(0, this.shapes.length - 1)];
    long offset = 0;
    for (int i = 0; i < this.shapes.length; i++) {
      offset += this.shapes[i].size();
      if (i < cuts.length) {
        cuts[i] = offset;
      }
    }
    this.size = offset;
  }

  /** Elements of the flat vector. */
  long size() {
    return size;
  }

  Shape shape(int i) {
    return shapes[i];
  }

  /** A new flat vector holding {@code tensors} (shaped as this layout) in order, in the first one's manager. */
  NDArray concat(List<NDArray> tensors) {
    if (tensors.size() != shapes.length) {
      throw new IllegalArgumentException(tensors.size() + " tensors for a layout of " + shapes.length);
    }
    for (int i = 0; i < shapes.length; i++) {
      if (!tensors.get(i).getShape().equals(shapes[i])) {
        throw new IllegalArgumentException("tensor " + i + " has shape " + tensors.get(i).getShape()
            + ", the layout expects " + shapes[i]);
      }
    }
    if (shapes.length == 1) {
      return tensors.get(0).reshape(-1);
    }
    try (NDList flattened = new NDList(shapes.length)) {
      for (NDArray t : tensors) {
        flattened.add(t.reshape(-1));
      }
      return NDArrays.concat(flattened, 0);
    }
  }

  /**
   * One view per tensor of this layout into {@code flat}, sharing its storage (no copy), shaped as the
   * tensor; created in {@code flat}'s manager. Closing a view releases only the view.
   */
  NDList views(NDArray flat) {
    if (shapes.length == 1) {
      return new NDList(flat.reshape(shapes[0]));
    }
    NDList views = new NDList(shapes.length);
    try (NDList parts = flat.split(cuts, 0)) {
      for (int i = 0; i < shapes.length; i++) {
        views.add(parts.get(i).reshape(shapes[i]));
      }
    }
    return views;
  }
}
