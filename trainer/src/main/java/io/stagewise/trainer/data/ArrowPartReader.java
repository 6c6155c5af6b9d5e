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
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.dataset.source.DatasetFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
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
 * credentials), so it reads {@code file:} part files only. The application does not ship arrow-dataset
 * (docs/architecture.md, Departure 39): this class runs where the loading benchmark and the tests put it on
 * the class path, and needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (conf/jvm.args), as Spark does.
 */
final class ArrowPartReader {
  /** Rows per record batch: large enough that per-batch JNI costs vanish, small enough to stay in cache. */
  private static final long BATCH_ROWS = 16_384;

  private ArrowPartReader() {}

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
    int[] offsets = offsets(list);
    int rows = offsets.length - 1;
    IntBuffer data = ints(((IntVector) list.getDataVector()).getDataBuffer(), offsets[rows]);
    int[][] out = new int[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = new int[offsets[r + 1] - offsets[r]];
      data.get(offsets[r], out[r]);
    }
    return out;
  }

  private static boolean[][] booleans(String file, String column, ListVector list, long firstRow) {
    checkNulls(file, column, list, firstRow);
    int[] offsets = offsets(list);
    int rows = offsets.length - 1;
    // Arrow packs booleans 8 to a byte: one bulk copy of the bytes, then unpacked here.
    byte[] bits = new byte[(offsets[rows] + 7) / 8];
    ((BitVector) list.getDataVector()).getDataBuffer().getBytes(0, bits);
    boolean[][] out = new boolean[rows][];
    for (int r = 0; r < rows; r++) {
      boolean[] row = new boolean[offsets[r + 1] - offsets[r]];
      for (int t = 0, i = offsets[r]; t < row.length; t++, i++) {
        row[t] = (bits[i >>> 3] & (1 << (i & 7))) != 0;
      }
      out[r] = row;
    }
    return out;
  }

  /** The list's rows + 1 offsets, copied out of Arrow's offset buffer in one bulk copy. */
  private static int[] offsets(ListVector list) {
    int[] offsets = new int[list.getValueCount() + 1];
    if (list.getValueCount() == 0) {
      return offsets; // Arrow may leave an empty batch's offset buffer unallocated
    }
    ints(list.getOffsetBuffer(), offsets.length).get(0, offsets);
    return offsets;
  }

  /** The first {@code count} int32 values of an Arrow buffer (little-endian, as Arrow's Java side always is). */
  private static IntBuffer ints(ArrowBuf buffer, int count) {
    return count == 0 ? IntBuffer.allocate(0)
        : buffer.nioBuffer(0, count * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
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
}
