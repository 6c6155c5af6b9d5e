package io.stagewise.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnReadStore;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads token shards (a Parquet directory of {@code part-*.parquet} files as Spark writes them, on any Hadoop
 * file system) into primitive arrays. Files are read in name order, so the row order is stable for a given
 * dataset; provenance columns are never decoded (the reader projects the requested columns only).
 *
 * <p>Part files are decoded by {@link ListColumnReader}. Arrow's Parquet reader ({@link ArrowPartReader}) gives
 * the same rows from local files; it is not shipped (it did not win: docs/architecture.md, Departure 39), so
 * only the loading benchmark and the tests, which have it on their class path, ask for it.
 */
public final class TokenShardReader {

  /** Which Parquet decoder reads the part files. */
  public enum Decoder {
    /** {@link ListColumnReader}: parquet-hadoop's column readers, levels decoded by hand. */
    HAND,
    /** Arrow's Parquet reader (arrow-dataset, which the application does not ship); local files only. */
    ARROW
  }

  public static final String INPUT_IDS = "input_ids";
  public static final String LOSS_MASK = "loss_mask";
  public static final String PROMPT_IDS = "prompt_ids";
  public static final String CHOSEN_IDS = "chosen_ids";
  public static final String REJECTED_IDS = "rejected_ids";
  /** The provenance column naming each row's split ({@code train} / {@code test}). */
  public static final String SPLIT = "split";

  private final Configuration conf;
  private final Decoder decoder;

  public TokenShardReader(Configuration conf) {
    this(conf, Decoder.HAND);
  }

  public TokenShardReader(Configuration conf, Decoder decoder) {
    this.conf = conf;
    this.decoder = decoder;
  }

  /** Reads {@code input_ids} and {@code loss_mask} of an SFT / LM shard directory (or single file). */
  public TokenSequences readSequences(URI shards) {
    return readSequences(shards, null);
  }

  /**
   * As {@link #readSequences(URI)}, keeping only the rows of one split (by the {@code split} column), so a
   * dataset that holds both splits never leaks its test rows into training; null keeps every row.
   */
  public TokenSequences readSequences(URI shards, String split) {
    ShardColumns columns = read(shards, List.of(INPUT_IDS), List.of(LOSS_MASK), split);
    return new TokenSequences(columns.ints(0), columns.booleans(0));
  }

  /** Reads {@code prompt_ids}, {@code chosen_ids}, {@code rejected_ids} of a preference shard directory. */
  public PreferencePairs readPreferences(URI shards) {
    return readPreferences(shards, null);
  }

  /** As {@link #readPreferences(URI)}, keeping only the rows of one split; null keeps every row. */
  public PreferencePairs readPreferences(URI shards, String split) {
    ShardColumns columns = read(shards, List.of(PROMPT_IDS, CHOSEN_IDS, REJECTED_IDS), List.of(), split);
    return new PreferencePairs(columns.ints(0), columns.ints(1), columns.ints(2));
  }

  /** The part files of a shard directory in name order; a plain file is its own single part. */
  public List<Path> partFiles(URI shards) {
    try {
      Path root = new Path(shards);
      FileSystem fs = root.getFileSystem(conf);
      FileStatus status = fs.getFileStatus(root);
      if (status.isFile()) {
        return List.of(status.getPath());
      }
      FileStatus[] parts = fs.listStatus(root, p -> p.getName().startsWith("part-")
          && p.getName().endsWith(".parquet"));
      if (parts.length == 0) {
        throw new IllegalArgumentException(shards + ": no part-*.parquet files");
      }
      return Arrays.stream(parts).map(FileStatus::getPath)
          .sorted(Comparator.comparing(Path::getName)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list token shards at " + shards, e);
    }
  }

  private ShardColumns read(URI shards, List<String> intColumns, List<String> booleanColumns, String split) {
    ShardColumns all = new ShardColumns(intColumns.size(), booleanColumns.size());
    for (Path part : partFiles(shards)) {
      if (byArrow(part)) {
        ArrowPartReader.read(part.toString(), part.toUri(), intColumns, booleanColumns, split, all);
        continue;
      }
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(part, conf))) {
        readFile(part.toString(), reader, intColumns, booleanColumns, split, all);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read token shard " + part, e);
      }
    }
    if (split != null && all.rows() == 0) {
      throw new IllegalArgumentException(shards + ": no rows of split '" + split + "'");
    }
    return all;
  }

  private boolean byArrow(Path part) {
    if (decoder == Decoder.HAND) {
      return false;
    }
    if (!"file".equals(part.toUri().getScheme())) {
      throw new IllegalArgumentException(part + ": Arrow's Parquet reader reads local files only");
    }
    return true;
  }

  private static void readFile(String file, ParquetFileReader reader, List<String> intColumns,
      List<String> booleanColumns, String split, ShardColumns into) throws IOException {
    MessageType schema = reader.getFooter().getFileMetaData().getSchema();
    List<ListColumnReader> ints = intColumns.stream().map(c -> new ListColumnReader(file, schema, c)).toList();
    List<ListColumnReader> booleans =
        booleanColumns.stream().map(c -> new ListColumnReader(file, schema, c)).toList();
    if (split != null && !schema.containsField(SPLIT)) {
      throw new IllegalArgumentException(file + ": no '" + SPLIT + "' column to select split '" + split
          + "' by");
    }
    List<String> listColumns = new ArrayList<>(intColumns);
    listColumns.addAll(booleanColumns);
    MessageType projection = project(schema, listColumns, split == null ? List.of() : List.of(SPLIT));
    reader.setRequestedSchema(projection);
    String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
    long firstRow = 0;
    for (PageReadStore group; (group = reader.readNextRowGroup()) != null; ) {
      ColumnReadStore store = new ColumnReadStoreImpl(group,
          new GroupRecordConverter(projection).getRootConverter(), projection, createdBy);
      int rows = Math.toIntExact(group.getRowCount());
      boolean[] keep = split == null ? null
          : SplitColumn.matches(store.getColumnReader(projection.getColumnDescription(
              new String[] {SPLIT})), rows, split);
      for (int i = 0; i < ints.size(); i++) {
        ListColumnReader column = ints.get(i);
        into.addInts(i, SplitColumn.keep(
            column.readInts(store.getColumnReader(column.descriptor()), rows, firstRow), keep));
      }
      for (int i = 0; i < booleans.size(); i++) {
        ListColumnReader column = booleans.get(i);
        into.addBooleans(i, SplitColumn.keep(
            column.readBooleans(store.getColumnReader(column.descriptor()), rows, firstRow), keep));
      }
      firstRow += rows;
    }
  }

  private static MessageType project(MessageType schema, List<String> listColumns, List<String> scalarColumns) {
    List<Type> fields = new ArrayList<>();
    for (String c : listColumns) {
      fields.add(schema.getType(c));
    }
    for (String c : scalarColumns) {
      fields.add(schema.getType(c));
    }
    return new MessageType(schema.getName(), fields);
  }
}
