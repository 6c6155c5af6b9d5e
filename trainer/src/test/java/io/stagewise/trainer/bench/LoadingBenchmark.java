package io.stagewise.trainer.bench;

import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.data.ShardFiles;
import io.stagewise.trainer.data.ShuffledBatches;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.data.TokenShardReader;
import io.stagewise.trainer.data.TokenShardReader.Decoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Token loading alone, hand decoder against Arrow's Parquet reader in one JVM: SFT rows of the world's lengths
 * (17 to 129 tokens, the second half of each a response) written as Spark writes them (Snappy, two part files,
 * provenance columns beside the lists), then, per decoder, the shards read ({@link TokenShardReader}) and every
 * row packed once into batches ({@link ShuffledBatches}, direct buffers as the trainer hands to the engine).
 * One untimed pass each warms the JIT; then timed passes alternate which decoder goes first; medians of wall
 * and process CPU time are reported as tokens per second.
 */
final class LoadingBenchmark {

  private static final int PASSES = 5;
  private static final int PARTS = 2;

  private final Configuration conf = new Configuration();
  private final PrintStream out;
  private final int batch;
  private final int width;

  LoadingBenchmark(PrintStream out, int batch, int width) {
    this.out = out;
    this.batch = batch;
    this.width = width;
  }

  void run(Path dir, int rows, int vocabSize, long seed) throws IOException {
    Path shards = writeShards(dir.resolve("loading-shards"), rows, vocabSize, seed);
    Map<Decoder, List<double[]>> timings = new EnumMap<>(Decoder.class);
    long tokens = 0;
    for (int pass = 0; pass <= PASSES; pass++) {
      List<Decoder> order = pass % 2 == 0 ? List.of(Decoder.HAND, Decoder.ARROW)
          : List.of(Decoder.ARROW, Decoder.HAND);
      for (Decoder decoder : order) {
        double[] timing = new double[4];
        tokens = load(shards, decoder, timing);
        if (pass > 0) {
          timings.computeIfAbsent(decoder, d -> new ArrayList<>()).add(timing);
        }
      }
    }
    out.println("loading_rows=" + rows);
    out.println("loading_tokens=" + tokens);
    Map<Decoder, Double> loaded = new EnumMap<>(Decoder.class);
    for (Decoder decoder : List.of(Decoder.HAND, Decoder.ARROW)) {
      String name = "loading_" + decoder.name().toLowerCase(Locale.ROOT);
      List<double[]> t = timings.get(decoder);
      double read = median(t, 0);
      double all = median(t, 1);
      out.printf(Locale.ROOT, "%s_read_tokens_per_s=%.0f%n", name, tokens / read);
      out.printf(Locale.ROOT, "%s_read_and_batched_tokens_per_s=%.0f%n", name, tokens / all);
      out.printf(Locale.ROOT, "%s_read_tokens_per_cpu_s=%.0f%n", name, tokens / median(t, 2));
      out.printf(Locale.ROOT, "%s_read_and_batched_tokens_per_cpu_s=%.0f%n", name, tokens / median(t, 3));
      loaded.put(decoder, all);
    }
    out.printf(Locale.ROOT, "loading_arrow_speedup_vs_hand=%.2f%n",
        loaded.get(Decoder.HAND) / loaded.get(Decoder.ARROW));
  }

  /** Reads and batches every row once; fills {wall read, wall total, cpu read, cpu total} seconds. */
  private long load(Path shards, Decoder decoder, double[] timing) {
    ProcessCounters start = ProcessCounters.now();
    long t0 = System.nanoTime();
    TokenSequences rows = new TokenShardReader(conf, decoder).readSequences(shards.toUri());
    long t1 = System.nanoTime();
    ProcessCounters read = ProcessCounters.now();
    ShuffledBatches batches = new ShuffledBatches(rows, batch, width, 0, 1, DataPosition.START);
    for (int b = 0; b < rows.size() / batch; b++) {
      batches.next();
    }
    long t2 = System.nanoTime();
    ProcessCounters done = ProcessCounters.now();
    timing[0] = (t1 - t0) / 1e9;
    timing[1] = (t2 - t0) / 1e9;
    timing[2] = (read.cpuNanos() - start.cpuNanos()) / 1e9;
    timing[3] = (done.cpuNanos() - start.cpuNanos()) / 1e9;
    long stored = 0;
    for (int[] row : rows.inputIds()) {
      stored += row.length;
    }
    return stored;
  }

  private static Path writeShards(Path dir, int rows, int vocabSize, long seed) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(seed);
    SimpleGroupFactory factory = new SimpleGroupFactory(ShardFiles.SFT_SCHEMA);
    for (int part = 0; part < PARTS; part++) {
      Path file = dir.resolve(String.format("part-%05d-bench.snappy.parquet", part));
      try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
          .withConf(new Configuration()).withType(ShardFiles.SFT_SCHEMA)
          .withCompressionCodec(CompressionCodecName.SNAPPY)
          .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
        for (int r = part; r < rows; r += PARTS) {
          int length = random.nextInt(17, 130);
          Group row = factory.newGroup().append("id", "loading-" + r);
          Group ids = row.addGroup("input_ids");
          Group mask = row.addGroup("loss_mask");
          for (int t = 0; t < length; t++) {
            ids.addGroup("list").append("element", random.nextInt(vocabSize));
            mask.addGroup("list").append("element", t >= length / 2);
          }
          row.append("source", "bench").append("split", "train");
          writer.write(row);
        }
      }
    }
    return dir;
  }

  private static double median(List<double[]> timings, int index) {
    return TrainerBenchmark.median(timings.stream().map(t -> t[index]).toList());
  }
}
