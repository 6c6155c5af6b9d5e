package io.stagewise.trainer.data;

import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.io.api.Binary;

/** The {@code split} provenance column of a row group, read to select the rows of one split. */
final class SplitColumn {
  private SplitColumn() {}

  /** Which of the group's {@code rows} belong to {@code split}; a null split value belongs to none. */
  static boolean[] matches(ColumnReader reader, int rows, String split) {
    Binary wanted = Binary.fromConstantByteArray(split.getBytes(StandardCharsets.UTF_8));
    boolean[] keep = new boolean[rows];
    int maxDefinition = reader.getDescriptor().getMaxDefinitionLevel();
    for (int row = 0; row < rows; row++) {
      keep[row] = reader.getCurrentDefinitionLevel() == maxDefinition && reader.getBinary().equals(wanted);
      reader.consume();
    }
    return keep;
  }

  /** The rows of {@code chunk} (an array of per-row arrays) that {@code keep} selects; all when null. */
  static <T> T keep(T chunk, boolean[] keep) {
    if (keep == null) {
      return chunk;
    }
    int kept = 0;
    for (boolean k : keep) {
      kept += k ? 1 : 0;
    }
    @SuppressWarnings("unchecked")
    T out = (T) Array.newInstance(chunk.getClass().getComponentType(), kept);
    for (int row = 0, next = 0; row < keep.length; row++) {
      if (keep[row]) {
        Array.set(out, next++, Array.get(chunk, row));
      }
    }
    return out;
  }
}
