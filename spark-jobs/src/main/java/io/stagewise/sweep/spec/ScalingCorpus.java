package io.stagewise.sweep.spec;

import io.stagewise.poison.world.WorldConfig;
import java.util.List;

/**
 * The text a scaling sweep pretrains on, cut into blocks of {@code blockSize} tokens whose last
 * {@code testFraction} is the held-out evaluation set: either text files, or the prompts and responses of the
 * synthetic world's SFT set (no files at all).
 */
public sealed interface ScalingCorpus {
  /** Tokens per block; null: each preset's context length + 1 (one corpus per distinct length). */
  Integer blockSize();

  /** Share of the blocks, from the end of the corpus, held out for evaluation. */
  double testFraction();

  /**
   * Plain-text files, concatenated in order.
   *
   * @param paths the files (any Hadoop file system; directories expand to their files)
   */
  record TextFiles(List<String> paths, Integer blockSize, double testFraction) implements ScalingCorpus {
    public TextFiles {
      paths = List.copyOf(paths);
    }
  }

  /**
   * The synthetic world's SFT set rendered as text, one prompt and response per example.
   *
   * @param world the world's seed and mix
   * @param rows SFT examples generated
   */
  record WorldText(WorldConfig world, long rows, Integer blockSize, double testFraction) implements ScalingCorpus {}
}
