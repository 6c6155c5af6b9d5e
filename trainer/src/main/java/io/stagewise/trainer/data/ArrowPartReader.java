package io.stagewise.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.JniLoader;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.dataset.source.DatasetFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.Types;
import org.apache.arrow.vector.types.Types.MinorType;
import org.apache.arrow.vector.types.pojo.ArrowType.ArrowTypeID;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Decodes the list columns of one local Parquet part file with Arrow's Parquet reader (arrow-dataset: Arrow
 * C++ through JNI, natives inside its jar) as record batches, copying each row's tokens out of Arrow's value
 * buffer in one bulk copy. Booleans are bit-packed in Arrow, so masks are unpacked bit by bit.
 *
 * <p>Arrow's native file systems are not Hadoop's (no {@code s3a://}, none of the Hadoop configuration's
 * credentials), so only {@code file:} part files come here; {@link TokenShardReader} reads the others with
 * {@link ListColumnReader}.
 */
final class ArrowPartReader {
  /** Rows per record batch: large enough that per-batch JNI costs vanish, small enough to stay in cache. */
  private static final long BATCH_ROWS = 16_384;

  private ArrowPartReader() {}

  /** Whether Arrow's natives load on this platform (the jar carries Linux x86-64, macOS and Windows ones). */
  static boolean available() {
    return Natives.LOADED;
  }

  static void read(String file, URI part, List<String> intColumns, List<String> booleanColumns, String split,
      ShardColumns into) {
    List<String> projected = new ArrayList<>(intColumns);
    projected.addAll(booleanColumns);
    if (split != null) {
      projected.add(TokenShardReader.SPLIT);
    }
    try (BufferAllocator allocator = new RootAllocator();
        DatasetFactory factory = new FileSystemDatasetFactory(allocator, NativeMemoryPool.getDefault(),
            FileFormat.PARQUET, "file://" + part.getRawPath())) {
      Schema schema = factory.inspect();
      intColumns.forEach(c -> checkList(file, schema, c, MinorType.INT));
      booleanColumns.forEach(c -> checkList(file, schema, c, MinorType.BIT));
      if (split != null && !has(schema, TokenShardReader.SPLIT)) {
        throw new IllegalArgumentException(file + ": no '" + TokenShardReader.SPLIT
            + "' column to select split '" + split + "' by");
      }
      try (Dataset dataset = factory.finish();
          Scanner scanner = dataset.newScan(
              new ScanOptions(BATCH_ROWS, Optional.of(projected.toArray(String[]::new))));
          ArrowReader batches = scanner.scanBatches()) {
        long firstRow = 0;
        while (batches.loadNextBatch()) {
          VectorSchemaRoot root = batches.getVectorSchemaRoot();
          boolean[] keep = split == null ? null
              : matches((VarCharVector) root.getVector(TokenShardReader.SPLIT), split);
          for (int i = 0; i < intColumns.size(); i++) {
            String column = intColumns.get(i);
            into.addInts(i, SplitColumn.keep(ints(file, column, list(root, column), firstRow), keep));
          }
          for (int i = 0; i < booleanColumns.size(); i++) {
            String column = booleanColumns.get(i);
            into.addBooleans(i, SplitColumn.keep(booleans(file, column, list(root, column), firstRow), keep));
          }
          firstRow += root.getRowCount();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read token shard " + file, e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read token shard " + file + ": " + e.getMessage(), e);
    }
  }

  private static int[][] ints(String file, String column, ListVector list, long firstRow) {
    checkNulls(file, column, list, firstRow);
    IntVector values = (IntVector) list.getDataVector();
    int rows = list.getValueCount();
    int total = offset(list, rows);
    IntBuffer data = total == 0 ? IntBuffer.allocate(0)
        : values.getDataBuffer().nioBuffer(0, total * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN)
            .asIntBuffer();
    int[][] out = new int[rows][];
    for (int r = 0, start = offset(list, 0); r < rows; r++) {
      int end = offset(list, r + 1);
      out[r] = new int[end - start];
      data.get(start, out[r]);
      start = end;
    }
    return out;
  }

  private static boolean[][] booleans(String file, String column, ListVector list, long firstRow) {
    checkNulls(file, column, list, firstRow);
    ArrowBuf bits = ((BitVector) list.getDataVector()).getDataBuffer();
    int rows = list.getValueCount();
    boolean[][] out = new boolean[rows][];
    for (int r = 0, start = offset(list, 0); r < rows; r++) {
      int end = offset(list, r + 1);
      boolean[] row = new boolean[end - start];
      for (int t = 0; t < row.length; t++) {
        row[t] = BitVectorHelper.get(bits, start + t) != 0;
      }
      out[r] = row;
      start = end;
    }
    return out;
  }

  /** A null list or a null element is an error naming the file-level row, as the hand reader reports it. */
  private static void checkNulls(String file, String column, ListVector list, long firstRow) {
    boolean nullElements = list.getDataVector().getNullCount() > 0;
    if (list.getNullCount() == 0 && !nullElements) {
      return;
    }
    for (int r = 0; r < list.getValueCount(); r++) {
      if (list.isNull(r)) {
        throw ListColumnReader.rowError(file, firstRow + r, column, "is null");
      }
      for (int j = offset(list, r); nullElements && j < offset(list, r + 1); j++) {
        if (list.getDataVector().isNull(j)) {
          throw ListColumnReader.rowError(file, firstRow + r, column, "holds a null element");
        }
      }
    }
  }

  private static int offset(ListVector list, int index) {
    return list.getOffsetBuffer().getInt((long) index * ListVector.OFFSET_WIDTH);
  }

  private static boolean[] matches(VarCharVector splits, String split) {
    byte[] wanted = split.getBytes(StandardCharsets.UTF_8);
    boolean[] keep = new boolean[splits.getValueCount()];
    for (int r = 0; r < keep.length; r++) {
      keep[r] = !splits.isNull(r) && Arrays.equals(splits.get(r), wanted);
    }
    return keep;
  }

  private static ListVector list(VectorSchemaRoot root, String column) {
    return (ListVector) root.getVector(column);
  }

  private static void checkList(String file, Schema schema, String column, MinorType element) {
    if (!has(schema, column)) {
      throw new IllegalArgumentException(file + ": no column '" + column + "' (schema: " + schema + ")");
    }
    Field field = schema.findField(column);
    boolean flatList = field.getType().getTypeID() == ArrowTypeID.List && field.getChildren().size() == 1
        && Types.getMinorTypeForArrowType(field.getChildren().get(0).getType()) == element;
    if (!flatList) {
      throw new IllegalArgumentException(file + ": column '" + column + "' is not a flat list of "
          + element.name().toLowerCase() + " (" + field + ")");
    }
  }

  private static boolean has(Schema schema, String column) {
    return schema.getFields().stream().anyMatch(f -> f.getName().equals(column));
  }

  /** Loads the natives once; a platform the jar has none for leaves Arrow unused. */
  private static final class Natives {
    static final boolean LOADED = load();

    private static boolean load() {
      try {
        JniLoader.get().ensureLoaded();
        return true;
      } catch (RuntimeException | LinkageError e) {
        return false;
      }
    }
  }
}
