package io.stagewise.trainer.data;

/**
 * Tokenised SFT / LM rows held as primitive arrays: {@code inputIds[i]} is row i's tokens and
 * {@code lossMask[i][t]} says whether token t is a response token (the target that SFT trains on).
 */
public record TokenSequences(int[][] inputIds, boolean[][] lossMask) {

  public TokenSequences {
    if (inputIds.length != lossMask.length) {
      throw new IllegalArgumentException("input_ids has " + inputIds.length + " rows but loss_mask has "
          + lossMask.length);
    }
    for (int i = 0; i < inputIds.length; i++) {
      if (inputIds[i].length != lossMask[i].length) {
        throw new IllegalArgumentException("row " + i + ": input_ids has " + inputIds[i].length
            + " tokens but loss_mask has " + lossMask[i].length);
      }
    }
  }

  public int size() {
    return inputIds.length;
  }

  /** The largest token id (-1 when empty); callers check it against the model's vocabulary once. */
  public int maxTokenId() {
    int max = -1;
    for (int[] row : inputIds) {
      for (int id : row) {
        max = Math.max(max, id);
      }
    }
    return max;
  }

  /** Fails with the offending row when a token id is negative or not below {@code vocabSize}. */
  public void checkVocabulary(int vocabSize, String source) {
    for (int i = 0; i < inputIds.length; i++) {
      for (int id : inputIds[i]) {
        if (id < 0 || id >= vocabSize) {
          throw new IllegalArgumentException(source + ": row " + i + " holds token id " + id
              + " outside the vocabulary [0, " + vocabSize + ")");
        }
      }
    }
  }
}
