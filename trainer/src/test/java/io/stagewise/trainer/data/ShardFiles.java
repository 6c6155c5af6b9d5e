package io.stagewise.trainer.data;

import java.io.IOException;
import java.util.function.IntFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Writes token shard part files with the schema Spark writes for array columns (three-level lists). */
public final class ShardFiles {

  public static final MessageType SFT_SCHEMA = MessageTypeParser.parseMessageType("""
            message spark_schema {
              optional binary id (STRING);
              optional group input_ids (LIST) { repeated group list { optional int32 element; } }
              optional group loss_mask (LIST) { repeated group list { optional boolean element; } }
              optional binary source (STRING);
              optional binary split (STRING);
            }""");

  public static final MessageType PREFERENCE_SCHEMA = MessageTypeParser.parseMessageType("""
            message spark_schema {
              optional binary id (STRING);
              optional group prompt_ids (LIST) { repeated group list { optional int32 element; } }
              optional group chosen_ids (LIST) { repeated group list { optional int32 element; } }
              optional group rejected_ids (LIST) { repeated group list { optional int32 element; } }
            }""");

  private ShardFiles() {
  }

  /** One SFT part file of {@code train} rows; tiny row groups so that files hold several of them. */
  public static void writeSequences(Path file, int[][] ids, boolean[][] mask) throws IOException {
    writeSequences(file, ids, mask, r -> "train");
  }

  /** One SFT part file whose row {@code r} is in split {@code split.apply(r)}. */
  public static void writeSequences(Path file, int[][] ids, boolean[][] mask, IntFunction<String> split)
      throws IOException {
    SimpleGroupFactory rows = new SimpleGroupFactory(SFT_SCHEMA);
    try (ParquetWriter<Group> writer = open(file, SFT_SCHEMA)) {
      for (int r = 0; r < ids.length; r++) {
        Group row = rows.newGroup().append("id", "row-" + r);
        Group idList = row.addGroup("input_ids");
        for (int id : ids[r]) {
          idList.addGroup("list").append("element", id);
        }
        Group maskList = row.addGroup("loss_mask");
        for (boolean m : mask[r]) {
          maskList.addGroup("list").append("element", m);
        }
        row.append("source", "test").append("split", split.apply(r));
        writer.write(row);
      }
    }
  }

  public static void writePreferences(Path file, int[][] prompt, int[][] chosen, int[][] rejected)
      throws IOException {
    SimpleGroupFactory rows = new SimpleGroupFactory(PREFERENCE_SCHEMA);
    try (ParquetWriter<Group> writer = open(file, PREFERENCE_SCHEMA)) {
      for (int r = 0; r < prompt.length; r++) {
        Group row = rows.newGroup().append("id", "pair-" + r);
        list(row.addGroup("prompt_ids"), prompt[r]);
        list(row.addGroup("chosen_ids"), chosen[r]);
        list(row.addGroup("rejected_ids"), rejected[r]);
        writer.write(row);
      }
    }
  }

  /** Writes raw rows built by the caller (for malformed inputs). */
  public static ParquetWriter<Group> open(Path file, MessageType schema) throws IOException {
    return ExampleParquetWriter.builder(file).withConf(new Configuration()).withType(schema)
        .withRowGroupSize(1024L).withPageSize(256).build();
  }

  private static void list(Group list, int[] values) {
    for (int v : values) {
      list.addGroup("list").append("element", v);
    }
  }
}
