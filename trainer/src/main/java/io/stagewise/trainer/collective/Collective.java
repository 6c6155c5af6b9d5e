package io.stagewise.trainer.collective;

import java.nio.FloatBuffer;

/**
 * The operations data-parallel training needs from its group of W workers.
 *
 * <p>Every worker must call the same operations in the same order with buffers of the same length (and the same
 * root for {@link #broadcast}); a worker that diverges makes the operation fail on the others rather than return
 * wrong numbers. Buffers are read and written between their position and limit; position and limit are left
 * unchanged. Heap and direct buffers of either byte order are accepted.
 *
 * <p>An implementation is used by one thread at a time. After an operation has failed the collective is broken:
 * later operations fail too, and the caller is expected to close it and restart the group.
 */
public interface Collective extends AutoCloseable {

  /** This worker's index, in {@code [0, worldSize())}. */
  int rank();

  /** Number of workers in the group. */
  int worldSize();

  /**
   * Replaces every element of {@code buffer} by its sum over all workers. The sum is computed in the same order
   * for every worker, so all workers end with bit-identical contents.
   *
   * @throws CollectiveException if a peer fails, stops answering or disagrees on the buffer length
   */
  void allReduceSum(FloatBuffer buffer);

  /**
   * Copies the contents of {@code buffer} on worker {@code root} into {@code buffer} on every other worker.
   *
   * @throws CollectiveException if a peer fails, stops answering or disagrees on the buffer length
   */
  void broadcast(FloatBuffer buffer, int root);

  /** Returns once every worker has called {@code barrier()}. */
  void barrier();

  /** Releases the connections; idempotent. */
  @Override
  void close();
}
