package io.stagewise.trainer.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Which rows share which packed context: rows are taken in the order given and each goes into the current
 * context while it fits, else starts the next one (first fit in order, no reordering, so the packs are a
 * function of the rows alone). A row longer than the context is truncated to it, as an unpacked batch would.
 * The number of contexts is rounded up to a multiple of {@code packMultiple} with empty (all padding)
 * contexts, so a batch still splits into equal micro-batches and data-parallel slices.
 *
 * @param packs per context, the rows it holds in order
 * @param lengths per context, the tokens each of its rows contributes
 */
record GreedyPacking(List<int[]> packs, List<int[]> lengths) {

  static GreedyPacking of(TokenSequences data, int[] rowIndices, int width, int packMultiple) {
    List<int[]> packs = new ArrayList<>();
    List<int[]> lengths = new ArrayList<>();
    List<Integer> rows = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    int used = 0;
    for (int row : rowIndices) {
      int length = Math.min(data.inputIds()[row].length, width);
      if (used + length > width) {
        close(rows, sizes, packs, lengths);
        used = 0;
      }
      rows.add(row);
      sizes.add(length);
      used += length;
    }
    close(rows, sizes, packs, lengths);
    while (packs.size() % packMultiple != 0) {
      packs.add(new int[0]);
      lengths.add(new int[0]);
    }
    return new GreedyPacking(packs, lengths);
  }

  private static void close(List<Integer> rows, List<Integer> sizes, List<int[]> packs, List<int[]> lengths) {
    if (!rows.isEmpty()) {
      packs.add(rows.stream().mapToInt(Integer::intValue).toArray());
      lengths.add(sizes.stream().mapToInt(Integer::intValue).toArray());
      rows.clear();
      sizes.clear();
    }
  }

}
