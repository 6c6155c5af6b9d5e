package io.stagewise.trainer.collective;

import java.nio.FloatBuffer;
import java.util.Objects;

/** The group of one: every operation leaves the buffer as it is. Used when training runs on a single worker. */
public final class SingleWorkerCollective implements Collective {

  @Override
  public int rank() {
    return 0;
  }

  @Override
  public int worldSize() {
    return 1;
  }

  @Override
  public void allReduceSum(FloatBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
  }

  @Override
  public void broadcast(FloatBuffer buffer, int root) {
    Objects.requireNonNull(buffer, "buffer");
    if (root != 0) {
      throw new IllegalArgumentException("root must be 0 in a group of one, got " + root);
    }
  }

  @Override
  public void barrier() {
  }

  @Override
  public void close() {
  }
}
