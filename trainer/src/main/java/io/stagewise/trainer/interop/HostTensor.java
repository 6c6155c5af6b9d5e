package io.stagewise.trainer.interop;

import java.util.Arrays;

/**
 * A float32 tensor on the host, row-major: what crosses between a model's parameters and a file.
 *
 * @param shape dimensions, outermost first
 * @param values {@code product(shape)} values in row-major order
 */
public record HostTensor(long[] shape, float[] values) {

  public HostTensor {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    if (size != values.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size + " values, got "
          + values.length);
    }
  }

  /** Rows {@code [from, to)} of the outermost axis (elements of a vector). */
  public HostTensor rows(long from, long to) {
    long inner = shape.length == 1 ? 1 : values.length / shape[0];
    long[] sliced = shape.clone();
    sliced[0] = to - from;
    return new HostTensor(sliced, Arrays.copyOfRange(values, Math.toIntExact(from * inner),
        Math.toIntExact(to * inner)));
  }

  /** The transpose of a matrix. */
  public HostTensor transposed() {
    if (shape.length != 2) {
      throw new IllegalArgumentException("only a matrix transposes, got shape " + Arrays.toString(shape));
    }
    int rows = Math.toIntExact(shape[0]);
    int cols = Math.toIntExact(shape[1]);
    float[] out = new float[values.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = values[r * cols + c];
      }
    }
    return new HostTensor(new long[] {cols, rows}, out);
  }

  /** Rows of several tensors of equal inner shape stacked in order (the inverse of {@link #rows}). */
  public static HostTensor stack(java.util.List<HostTensor> parts) {
    long rows = 0;
    int size = 0;
    for (HostTensor part : parts) {
      rows += part.shape[0];
      size += part.values.length;
    }
    float[] out = new float[size];
    int at = 0;
    for (HostTensor part : parts) {
      System.arraycopy(part.values, 0, out, at, part.values.length);
      at += part.values.length;
    }
    long[] shape = parts.get(0).shape.clone();
    shape[0] = rows;
    return new HostTensor(shape, out);
  }

  public boolean hasShape(long... dims) {
    return Arrays.equals(shape, dims);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "HostTensor" + Arrays.toString(shape);
  }
}
