package io.stagewise.trainer.model;

/**
 * The geometry of block-sparse attention ({@code attention=sparse}): keys are cut into blocks of
 * {@code blockSize} positions; every query attends to its local window — its own block and the
 * {@code localBlocks − 1} blocks before it — plus the {@code selectedBlocks} earlier blocks that score
 * highest for it. A block's score is the query's dot product with the block's mean key (the compressed
 * key of native sparse attention). The defaults are the CEG reference's: blocks of 64, 16 selected, no
 * sliding window beyond the query's own block.
 *
 * @param blockSize key positions per block
 * @param selectedBlocks earlier blocks each query selects by score (0: the local window only)
 * @param localBlocks blocks of the local window, the query's own included (at least 1)
 */
public record BlockSparsity(int blockSize, int selectedBlocks, int localBlocks) {

  /** The reference's native sparse attention: block size 64, 16 selected blocks. */
  public static final BlockSparsity REFERENCE = new BlockSparsity(64, 16, 1);

  public BlockSparsity {
    if (blockSize < 1) {
      throw new IllegalArgumentException("model.sparseBlockSize: must be > 0, got " + blockSize);
    }
    if (selectedBlocks < 0) {
      throw new IllegalArgumentException("model.sparseSelectedBlocks: must be >= 0, got " + selectedBlocks);
    }
    if (localBlocks < 1) {
      throw new IllegalArgumentException("model.sparseLocalBlocks: must be >= 1 (the query's own block), got "
          + localBlocks);
    }
  }

  /** The block holding position {@code position}. */
  int blockOf(int position) {
    return position / blockSize;
  }

  /** First block of the local window of a query in block {@code block}. */
  int windowStart(int block) {
    return Math.max(0, block - localBlocks + 1);
  }

  /**
   * Blocks a query in block {@code block} chooses among by score: every block before its local window.
   * When they are no more than {@link #selectedBlocks} all are taken and none is scored.
   */
  int candidates(int block) {
    return windowStart(block);
  }

  /** Whether a query in block {@code block} attends to every earlier block (no selection to make). */
  boolean takesAll(int block) {
    return candidates(block) <= selectedBlocks;
  }
}
