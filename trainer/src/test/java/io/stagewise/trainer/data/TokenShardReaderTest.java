package io.stagewise.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class TokenShardReaderTest {

  @TempDir
  java.nio.file.Path dir;

  private TokenShardReader reader;

  @ParameterizedTest
  @EnumSource(TokenShardReader.Decoder.class)
  void readsPartFilesInNameOrderAcrossRowGroups(TokenShardReader.Decoder decoder) throws Exception {
    reader = new TokenShardReader(new Configuration(), decoder);
    int[][] ids = randomRows(700, 0);
    boolean[][] mask = masks(ids);
    ids[3] = new int[0];
    mask[3] = new boolean[0];
    // Written out of order: the reader sorts by name.
    ShardFiles.writeSequences(part(1), slice(ids, 400, 700), slice(mask, 400, 700));
    ShardFiles.writeSequences(part(0), slice(ids, 0, 400), slice(mask, 0, 400));
    Files.writeString(dir.resolve("_SUCCESS"), "");
    Files.writeString(dir.resolve("_manifest.json"), "{}");

    TokenSequences read = reader.readSequences(dir.toUri());

    assertEquals(700, read.size());
    for (int r = 0; r < ids.length; r++) {
      assertArrayEquals(ids[r], read.inputIds()[r], "row " + r);
      assertArrayEquals(mask[r], read.lossMask()[r], "row " + r);
    }
  }

  @ParameterizedTest
  @EnumSource(TokenShardReader.Decoder.class)
  void selectsTheRowsOfOneSplitAcrossRowGroups(TokenShardReader.Decoder decoder) throws Exception {
    reader = new TokenShardReader(new Configuration(), decoder);
    int[][] ids = randomRows(500, 1);
    boolean[][] mask = masks(ids);
    ShardFiles.writeSequences(part(0), ids, mask, r -> r % 5 == 0 ? "test" : "train");

    TokenSequences test = reader.readSequences(dir.toUri(), "test");
    TokenSequences train = reader.readSequences(dir.toUri(), "train");

    assertEquals(100, test.size());
    assertEquals(400, train.size());
    for (int r = 0; r < 100; r++) {
      assertArrayEquals(ids[5 * r], test.inputIds()[r], "test row " + r);
      assertArrayEquals(mask[5 * r], test.lossMask()[r], "test row " + r);
    }
    assertArrayEquals(ids[1], train.inputIds()[0]);
    assertEquals(500, reader.readSequences(dir.toUri()).size());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> reader.readSequences(dir.toUri(), "validation"));
    assertTrue(none.getMessage().contains("no rows of split 'validation'"), none.getMessage());
  }

  @ParameterizedTest
  @EnumSource(TokenShardReader.Decoder.class)
  void readsPreferenceShards(TokenShardReader.Decoder decoder) throws Exception {
    reader = new TokenShardReader(new Configuration(), decoder);
    int[][] prompt = randomRows(50, 1);
    int[][] chosen = randomRows(50, 2);
    int[][] rejected = randomRows(50, 3);
    ShardFiles.writePreferences(part(0), prompt, chosen, rejected);

    PreferencePairs read = reader.readPreferences(dir.toUri());

    assertEquals(50, read.size());
    for (int r = 0; r < 50; r++) {
      assertArrayEquals(prompt[r], read.promptIds()[r]);
      assertArrayEquals(chosen[r], read.chosenIds()[r]);
      assertArrayEquals(rejected[r], read.rejectedIds()[r]);
    }
  }

  @ParameterizedTest
  @EnumSource(TokenShardReader.Decoder.class)
  void readsLegacyTwoLevelLists(TokenShardReader.Decoder decoder) throws Exception {
    reader = new TokenShardReader(new Configuration(), decoder);
    MessageType legacy = MessageTypeParser.parseMessageType("""
                message spark_schema {
                  required group input_ids (LIST) { repeated int32 array; }
                  required group loss_mask (LIST) { repeated boolean array; }
                }""");
    try (ParquetWriter<Group> writer = ShardFiles.open(part(0), legacy)) {
      Group row = new SimpleGroupFactory(legacy).newGroup();
      row.addGroup("input_ids").append("array", 7).append("array", 8);
      row.addGroup("loss_mask").append("array", false).append("array", true);
      writer.write(row);
    }

    TokenSequences read = reader.readSequences(dir.toUri());

    assertArrayEquals(new int[] {7, 8}, read.inputIds()[0]);
    assertArrayEquals(new boolean[] {false, true}, read.lossMask()[0]);
  }

  @ParameterizedTest
  @EnumSource(TokenShardReader.Decoder.class)
  void nullElementIsAnErrorNamingFileRowAndColumn(TokenShardReader.Decoder decoder) throws Exception {
    reader = new TokenShardReader(new Configuration(), decoder);
    MessageType schema = ShardFiles.SFT_SCHEMA;
    try (ParquetWriter<Group> writer = ShardFiles.open(part(0), schema)) {
      for (int r = 0; r < 3; r++) {
        Group row = new SimpleGroupFactory(schema).newGroup();
        Group ids = row.addGroup("input_ids");
        ids.addGroup("list").append("element", 1);
        if (r == 2) {
          ids.addGroup("list"); // a null element
        }
        row.addGroup("loss_mask").addGroup("list").append("element", true);
        writer.write(row);
      }
    }

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> reader.readSequences(dir.toUri()));
    assertTrue(e.getMessage().contains("part-00000") && e.getMessage().contains("row 2")
        && e.getMessage().contains("input_ids"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(TokenShardReader.Decoder.class)
  void missingColumnAndEmptyDirectoryAreErrors(TokenShardReader.Decoder decoder) throws Exception {
    reader = new TokenShardReader(new Configuration(), decoder);
    assertThrows(IllegalArgumentException.class, () -> reader.readSequences(dir.toUri()));
    ShardFiles.writeSequences(part(0), new int[][] {{1}}, new boolean[][] {{true}});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> reader.readPreferences(dir.toUri()));
    assertTrue(e.getMessage().contains("prompt_ids"), e.getMessage());
  }

  private Path part(int index) {
    return new Path(dir.resolve(String.format("part-%05d-test.snappy.parquet", index)).toUri());
  }

  static int[][] randomRows(int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] out = new int[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = random.ints(random.nextInt(1, 40), 0, 1000).toArray();
    }
    return out;
  }

  static boolean[][] masks(int[][] ids) {
    boolean[][] out = new boolean[ids.length][];
    for (int r = 0; r < ids.length; r++) {
      out[r] = new boolean[ids[r].length];
      for (int t = 0; t < ids[r].length; t++) {
        out[r][t] = t >= ids[r].length / 2;
      }
    }
    return out;
  }

  private static <T> T[] slice(T[] rows, int from, int to) {
    return java.util.Arrays.copyOfRange(rows, from, to);
  }
}
