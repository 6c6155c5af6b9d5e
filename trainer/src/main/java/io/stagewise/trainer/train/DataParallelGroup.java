package io.stagewise.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.collective.Collective;
import io.stagewise.trainer.optim.TrainableParameter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's side of data-parallel training: gradients summed over the group, parameters copied from rank 0.
 *
 * <p>Tensors cross to the collective through one reused direct buffer, a bucket of consecutive parameters at a
 * time (a parameter larger than a bucket travels alone), so the host memory this costs is one bucket, not one
 * model. Small host scalars the step needs summed too (the loss sum, the target count) ride at the end of the
 * last bucket instead of paying for a round of their own.
 */
public final class DataParallelGroup {

  /** 32 MiB of float32 per bucket, the order of PyTorch DDP's default 25 MB. */
  public static final int DEFAULT_BUCKET_FLOATS = 8 << 20;

  private final Collective collective;
  private final int bucketFloats;
  private FloatBuffer bucket = FloatBuffer.allocate(0);

  public DataParallelGroup(Collective collective, int bucketFloats) {
    if (bucketFloats < 1) {
      throw new IllegalArgumentException("bucketFloats must be >= 1, got " + bucketFloats);
    }
    this.collective = collective;
    this.bucketFloats = bucketFloats;
  }

  public int rank() {
    return collective.rank();
  }

  public int worldSize() {
    return collective.worldSize();
  }

  /** Summed gradients (new arrays, same shapes and order) and the summed host scalars. */
  record Summed(List<NDArray> gradients, double[] scalars) {
  }

  /**
   * Sums {@code gradients} and {@code scalars} over the group. The results are bit-identical on every worker;
   * the new gradient arrays are created in {@code manager}.
   */
  Summed sum(List<NDArray> gradients, double[] scalars, NDManager manager) {
    List<NDArray> summed = new ArrayList<>(gradients.size());
    double[] totals = new double[scalars.length];
    for (int[] range : buckets(gradients)) {
      List<NDArray> group = gradients.subList(range[0], range[1]);
      boolean last = range[1] == gradients.size();
      FloatBuffer buffer = bucket(floats(group) + (last ? scalars.length : 0));
      flatten(group, buffer);
      if (last) {
        for (double s : scalars) {
          buffer.put((float) s);
        }
      }
      buffer.flip();
      collective.allReduceSum(buffer);
      int offset = 0;
      for (NDArray g : group) {
        summed.add(manager.create(region(buffer, offset, g.size()), g.getShape()));
        offset += Math.toIntExact(g.size());
      }
      for (int i = 0; last && i < scalars.length; i++) {
        totals[i] = buffer.get(offset + i);
      }
    }
    return new Summed(summed, totals);
  }

  /** Copies rank 0's parameter values into every worker's parameters. */
  public void broadcastParameters(List<TrainableParameter> parameters) {
    List<NDArray> arrays = parameters.stream().map(TrainableParameter::array).toList();
    for (int[] range : buckets(arrays)) {
      List<NDArray> group = arrays.subList(range[0], range[1]);
      FloatBuffer buffer = bucket(floats(group));
      for (NDArray p : group) {
        buffer.put(floatsOf(p));
      }
      buffer.flip();
      collective.broadcast(buffer, 0);
      int offset = 0;
      for (NDArray p : group) {
        p.set(region(buffer, offset, p.size()));
        offset += Math.toIntExact(p.size());
      }
    }
  }

  /** Broadcasts a few longs from rank 0 (each as two exact 24-bit-safe float halves). */
  long[] broadcastLongs(long... values) {
    FloatBuffer buffer = bucket(values.length * 4);
    for (long v : values) {
      for (int shift = 48; shift >= 0; shift -= 16) {
        buffer.put((float) ((v >>> shift) & 0xFFFF));
      }
    }
    buffer.flip();
    collective.broadcast(buffer, 0);
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      for (int k = 0; k < 4; k++) {
        out[i] = (out[i] << 16) | (long) buffer.get(i * 4 + k);
      }
    }
    return out;
  }

  public void barrier() {
    collective.barrier();
  }

  /** [from, to) index ranges of consecutive arrays totalling at most a bucket (or one oversized array). */
  private List<int[]> buckets(List<NDArray> arrays) {
    List<int[]> ranges = new ArrayList<>();
    int start = 0;
    while (start < arrays.size()) {
      int end = start + 1;
      long floats = arrays.get(start).size();
      while (end < arrays.size() && floats + arrays.get(end).size() <= bucketFloats) {
        floats += arrays.get(end).size();
        end++;
      }
      ranges.add(new int[] {start, end});
      start = end;
    }
    return ranges;
  }

  private static void flatten(List<NDArray> group, FloatBuffer into) {
    NDList flat = new NDList(group.size());
    try {
      for (NDArray g : group) {
        flat.add(g.flatten());
      }
      try (NDArray joined = flat.size() == 1 ? null : NDArrays.concat(flat)) {
        into.put(floatsOf(joined == null ? flat.get(0) : joined));
      }
    } finally {
      flat.close();
    }
  }

  private static FloatBuffer floatsOf(NDArray array) {
    return array.toByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  private static int floats(List<NDArray> group) {
    long total = 0;
    for (NDArray g : group) {
      total += g.size();
    }
    return Math.toIntExact(total);
  }

  private static FloatBuffer region(FloatBuffer buffer, int offset, long length) {
    return buffer.duplicate().position(offset).limit(offset + Math.toIntExact(length)).slice();
  }

  /** The reused direct bucket, cleared, with room for {@code floats}. */
  private FloatBuffer bucket(int floats) {
    if (bucket.capacity() < floats) {
      bucket = ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES)).order(ByteOrder.nativeOrder())
          .asFloatBuffer();
    }
    bucket.clear();
    bucket.limit(floats);
    return bucket;
  }
}
