package io.stagewise.trainer.data;

/** Tokenised preference rows (DPO / reward model): a prompt and the chosen and rejected continuations. */
public record PreferencePairs(int[][] promptIds, int[][] chosenIds, int[][] rejectedIds) {

  public PreferencePairs {
    if (promptIds.length != chosenIds.length || promptIds.length != rejectedIds.length) {
      throw new IllegalArgumentException("prompt_ids, chosen_ids and rejected_ids have " + promptIds.length
          + ", " + chosenIds.length + " and " + rejectedIds.length + " rows");
    }
  }

  public int size() {
    return promptIds.length;
  }

  /** Fails naming the pair and column when a token id is negative or not below {@code vocabSize}. */
  public void checkVocabulary(int vocabSize, String source) {
    check(promptIds, "prompt_ids", vocabSize, source);
    check(chosenIds, "chosen_ids", vocabSize, source);
    check(rejectedIds, "rejected_ids", vocabSize, source);
  }

  private static void check(int[][] rows, String column, int vocabSize, String source) {
    for (int i = 0; i < rows.length; i++) {
      for (int id : rows[i]) {
        if (id < 0 || id >= vocabSize) {
          throw new IllegalArgumentException(source + ": row " + i + ": " + column + " holds token id " + id
              + " outside the vocabulary [0, " + vocabSize + ")");
        }
      }
    }
  }
}
