package io.stagewise.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The list columns read from a shard's part files: per column, one chunk of rows per row group or batch. */
final class ShardColumns {
  private final List<List<int[][]>> intChunks = new ArrayList<>();
  private final List<List<boolean[][]>> booleanChunks = new ArrayList<>();

  ShardColumns(int intCount, int booleanCount) {
    for (int i = 0; i < intCount; i++) {
      intChunks.add(new ArrayList<>());
    }
    for (int i = 0; i < booleanCount; i++) {
      booleanChunks.add(new ArrayList<>());
    }
  }

  void addInts(int column, int[][] rows) {
    intChunks.get(column).add(rows);
  }

  void addBooleans(int column, boolean[][] rows) {
    booleanChunks.get(column).add(rows);
  }

  long rows() {
    return intChunks.get(0).stream().mapToLong(chunk -> chunk.length).sum();
  }

  /** The column's rows in the order they were added, concatenated once. */
  int[][] ints(int column) {
    return intChunks.get(column).stream().flatMap(Arrays::stream).toArray(int[][]::new);
  }

  boolean[][] booleans(int column) {
    return booleanChunks.get(column).stream().flatMap(Arrays::stream).toArray(boolean[][]::new);
  }
}
