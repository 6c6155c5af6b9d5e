package io.stagewise.trainer.data;

import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Decodes one Parquet list column ({@code array<int>} or {@code array<boolean>}) of a row group straight from
 * its repetition and definition levels into primitive arrays, one per row, without materialising a record or
 * an object per element.
 *
 * <p>Works for the standard three-level list layout Spark writes ({@code optional group f (LIST) { repeated
 * group list { optional int32 element; } }}) and the legacy two-level one, because the levels that mean "list
 * is null", "list is empty" and "element is null" are read from the schema rather than assumed.
 */
final class ListColumnReader {

  private final String file;
  private final String column;
  private final ColumnDescriptor descriptor;
  /** Definition level at which the top-level field is non-null. */
  private final int listDefinedLevel;
  /** Definition level at which the repeated node holds at least one entry. */
  private final int entryDefinedLevel;
  private final int maxLevel;

  ListColumnReader(String file, MessageType schema, String column) {
    this.file = file;
    this.column = column;
    if (!schema.containsField(column)) {
      throw new IllegalArgumentException(file + ": no column '" + column + "' (schema: " + schema + ")");
    }
    this.descriptor = leafOf(schema, column);
    String[] path = descriptor.getPath();
    int repeated = repeatedIndex(schema, path);
    this.listDefinedLevel = schema.getMaxDefinitionLevel(Arrays.copyOf(path, 1));
    this.entryDefinedLevel = schema.getMaxDefinitionLevel(Arrays.copyOf(path, repeated + 1));
    this.maxLevel = descriptor.getMaxDefinitionLevel();
    if (descriptor.getMaxRepetitionLevel() != 1) {
      throw new IllegalArgumentException(file + ": column '" + column + "' is not a flat list");
    }
  }

  ColumnDescriptor descriptor() {
    return descriptor;
  }

  /** Reads {@code rows} int lists; {@code firstRow} is the file-level index of the group's first row. */
  int[][] readInts(ColumnReader reader, int rows, long firstRow) {
    int[][] out = new int[rows][];
    IntBuffer buffer = new IntBuffer();
    read(reader, rows, firstRow, new Sink() {
      @Override public void value(ColumnReader r) { buffer.add(r.getInteger()); }
      @Override public void endRow(int row) { out[row] = buffer.drain(); }
    });
    return out;
  }

  /** Reads {@code rows} boolean lists; {@code firstRow} is the file-level index of the group's first row. */
  boolean[][] readBooleans(ColumnReader reader, int rows, long firstRow) {
    boolean[][] out = new boolean[rows][];
    BooleanBuffer buffer = new BooleanBuffer();
    read(reader, rows, firstRow, new Sink() {
      @Override public void value(ColumnReader r) { buffer.add(r.getBoolean()); }
      @Override public void endRow(int row) { out[row] = buffer.drain(); }
    });
    return out;
  }

  // The value count is the one way to find a repeated column's end: a row's last value shows only when the
  // next one starts (repetition level 0), and there is no next one after the group's last row.
  @SuppressWarnings("deprecation")
  private void read(ColumnReader reader, int rows, long firstRow, Sink sink) {
    int row = -1;
    for (long i = 0, n = reader.getTotalValueCount(); i < n; i++) {
      int definition = reader.getCurrentDefinitionLevel();
      if (reader.getCurrentRepetitionLevel() == 0) {
        if (row >= 0) {
          sink.endRow(row);
        }
        row++;
        if (definition < listDefinedLevel) {
          throw error(firstRow + row, "is null");
        }
      }
      if (definition == maxLevel) {
        sink.value(reader);
      } else if (definition >= entryDefinedLevel) {
        throw error(firstRow + row, "holds a null element");
      }
      reader.consume();
    }
    if (row >= 0) {
      sink.endRow(row);
    }
    if (row + 1 != rows) {
      throw new IllegalStateException(file + ": column '" + column + "' has " + (row + 1)
          + " rows in a row group of " + rows);
    }
  }

  private IllegalArgumentException error(long row, String what) {
    return rowError(file, row, column, what);
  }

  /** The error for a damaged row, worded alike by both decoders. */
  static IllegalArgumentException rowError(String file, long row, String column, String what) {
    return new IllegalArgumentException(file + ": row " + row + ": column '" + column + "' " + what);
  }

  private static ColumnDescriptor leafOf(MessageType schema, String column) {
    return schema.getColumns().stream()
        .filter(c -> c.getPath()[0].equals(column))
        .reduce((a, b) -> {
          throw new IllegalArgumentException("column '" + column + "' has more than one leaf");
        })
        .orElseThrow();
  }

  private static int repeatedIndex(MessageType schema, String[] path) {
    for (int i = 0; i < path.length; i++) {
      if (schema.getType(Arrays.copyOf(path, i + 1)).isRepetition(Type.Repetition.REPEATED)) {
        return i;
      }
    }
    throw new IllegalArgumentException("column '" + path[0] + "' is not a list");
  }

  /** Receives decoded values; one virtual call per element, no boxing. */
  private interface Sink {
    void value(ColumnReader reader);

    void endRow(int row);
  }

  private static final class IntBuffer {
    private int[] data = new int[256];
    private int size;

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    int[] drain() {
      int[] out = Arrays.copyOf(data, size);
      size = 0;
      return out;
    }
  }

  private static final class BooleanBuffer {
    private boolean[] data = new boolean[256];
    private int size;

    void add(boolean v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    boolean[] drain() {
      boolean[] out = Arrays.copyOf(data, size);
      size = 0;
      return out;
    }
  }
}
