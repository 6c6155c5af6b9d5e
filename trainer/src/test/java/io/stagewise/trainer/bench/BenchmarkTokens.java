package io.stagewise.trainer.bench;

import io.stagewise.trainer.data.ShardFiles;
import io.stagewise.trainer.data.ShardManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;

/**
 * The benchmark's training data, written once before anything is timed: a token dataset as the data plane
 * lays it out (one Parquet part file with {@code input_ids} / {@code loss_mask} lists, and a
 * {@code _manifest.json} with the tokenizer's vocabulary) for the trainer, and the same rows as a flat
 * little-endian int32 file for the Python peer. Every row holds exactly {@code contextLength + 1} tokens, so
 * neither side pads and both do the same arithmetic per step.
 */
final class BenchmarkTokens {

  static final String SHARDS_DIR = "shards";
  static final String PEER_FILE = "tokens.i32";

  private BenchmarkTokens() {
  }

  /** Writes {@code rows} uniformly random rows under {@code dir}; returns the shard directory. */
  static Path write(Path dir, int rows, int width, int vocabSize, long seed) throws IOException {
    int[][] ids = new int[rows][width];
    SplittableRandom random = new SplittableRandom(seed);
    for (int[] row : ids) {
      for (int t = 0; t < width; t++) {
        row[t] = random.nextInt(vocabSize);
      }
    }
    Path shards = dir.resolve(SHARDS_DIR);
    Files.createDirectories(shards);
    writeParquet(shards.resolve("part-00000.parquet"), ids);
    Files.writeString(shards.resolve(ShardManifest.FILE_NAME), """
                {"kind": "tokens", "fingerprint": "bench-trainer-%d-%dx%d",
                 "tokenizer": {"name": "random", "vocab_size": %d, "special_ids": {}, "max_length": %d}}
                """.formatted(seed, rows, width, vocabSize, width), StandardCharsets.UTF_8);
    writePeerFile(dir.resolve(PEER_FILE), ids);
    return shards;
  }

  private static void writeParquet(Path file, int[][] ids) throws IOException {
    SimpleGroupFactory factory = new SimpleGroupFactory(ShardFiles.SFT_SCHEMA);
    try (ParquetWriter<Group> writer = ExampleParquetWriter
        .builder(new org.apache.hadoop.fs.Path(file.toUri()))
        .withConf(new Configuration()).withType(ShardFiles.SFT_SCHEMA)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
      for (int r = 0; r < ids.length; r++) {
        Group row = factory.newGroup().append("id", "bench-" + r);
        Group tokens = row.addGroup("input_ids");
        Group mask = row.addGroup("loss_mask");
        for (int id : ids[r]) {
          tokens.addGroup("list").append("element", id);
          mask.addGroup("list").append("element", true);
        }
        row.append("source", "bench");
        writer.write(row);
      }
    }
  }

  private static void writePeerFile(Path file, int[][] ids) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(ids.length * ids[0].length * Integer.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int[] row : ids) {
      for (int id : row) {
        buffer.putInt(id);
      }
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(buffer.array());
    }
  }
}
