package io.stagewise.data.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.importer.InputFiles;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.poison.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.TaskCompletionListener;
import scala.Tuple2;

/**
 * Cuts a text corpus into blocks of exactly {@code block_size} tokens (loss mask all true), like nanoGPT's
 * {@code train.bin} but as rows. Lines are tokenized in parallel, each with its newline; block boundaries
 * come from the global token offset of every line, computed from per-partition token counts (one small
 * collect), so blocks are identical whatever the partitioning. The trailing partial block is dropped. The
 * last {@code test_fraction} of the blocks form the test split.
 */
public final class LmCorpusJob {
  private LmCorpusJob() {}

  public static JobSummary run(SparkSession spark, LmCorpusSpec spec) {
    return run(spark, spec, new DatasetPublisher(spark));
  }

  public static JobSummary run(SparkSession spark, LmCorpusSpec spec, DatasetPublisher publisher) {
    return run(spark, spec, publisher, spark.sparkContext().defaultMinPartitions());
  }

  /** As {@link #run(SparkSession, LmCorpusSpec, DatasetPublisher)}, reading each file in at least that many splits. */
  static JobSummary run(SparkSession spark, LmCorpusSpec spec, DatasetPublisher publisher, int minSplitsPerFile) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<String> files = InputFiles.resolve(jsc.hadoopConfiguration(), spec.name(), spec.paths());
    ChatTemplate template = new ChatTemplate(spec.tokenizer().load(jsc.hadoopConfiguration()));
    JavaRDD<int[]> lines = tokenizedLines(jsc, files, template, minSplitsPerFile).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Long> counts = lines.mapPartitions(it -> {
        long n = 0;
        while (it.hasNext()) {
          n += it.next().length;
        }
        return List.of(n).iterator();
      }).collect();
      long[] offsets = new long[counts.size()];
      long total = 0;
      for (int p = 0; p < counts.size(); p++) {
        offsets[p] = total;
        total += counts.get(p);
      }
      int blockSize = spec.blockSize();
      String source = spec.name();
      long blocks = total / blockSize;
      long firstTest = blocks - Math.round(blocks * spec.testFraction());
      JavaRDD<Row> rows = lines
          .mapPartitionsWithIndex((p, it) -> pieces(it, offsets[p], blockSize, blocks), true)
          .mapToPair(piece -> piece)
          .groupByKey()
          .map(block -> blockRow(source, block._1(), block._2(), blockSize, firstTest));
      JsonNode specJson = ManifestCodec.mapper().valueToTree(spec);
      Manifest manifest = publisher.publish(new DatasetContents(DatasetKind.LM_TOKENS,
          spark.createDataFrame(rows, TokenSchemas.LM_TOKENS), null, specJson,
          TokenShardJob.info(template, blockSize, null, "fixed blocks of block_size tokens; the trailing "
              + (total % blockSize) + " tokens are dropped")), spec.output());
      return new JobSummary(spec.output(), manifest);
    } finally {
      lines.unpersist();
    }
  }

  /** Every line's ids in corpus order (file by file, line by line); files are separated by [end]. */
  private static JavaRDD<int[]> tokenizedLines(JavaSparkContext jsc, List<String> files, ChatTemplate template,
      int minSplitsPerFile) {
    List<JavaRDD<int[]>> perFile = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      boolean separate = f > 0;
      JavaPairRDD<String, Long> lines = jsc.textFile(files.get(f), minSplitsPerFile).zipWithIndex();
      perFile.add(lines.mapPartitions(it -> {
        TaskContext.get().addTaskCompletionListener((TaskCompletionListener) t -> template.tokenizer().close());
        List<int[]> out = new ArrayList<>();
        while (it.hasNext()) {
          Tuple2<String, Long> line = it.next();
          int[] ids = template.tokenizer().encode(line._1() + "\n");
          if (separate && line._2() == 0) {
            ids = prepend(template.endId(), ids);
          }
          out.add(ids);
        }
        return out.iterator();
      }));
    }
    return InputFiles.union(jsc, perFile);
  }

  /** Cuts the lines of one partition at block boundaries: (block index, (offset in block, ids)). */
  private static Iterator<Tuple2<Long, Tuple2<Integer, int[]>>> pieces(Iterator<int[]> lines, long start,
      int blockSize, long blocks) {
    List<Tuple2<Long, Tuple2<Integer, int[]>>> out = new ArrayList<>();
    long position = start;
    while (lines.hasNext()) {
      int[] ids = lines.next();
      int from = 0;
      while (from < ids.length) {
        long block = position / blockSize;
        int inBlock = (int) (position % blockSize);
        int take = Math.min(ids.length - from, blockSize - inBlock);
        if (block < blocks) {
          out.add(new Tuple2<>(block, new Tuple2<>(inBlock, Arrays.copyOfRange(ids, from, from + take))));
        }
        from += take;
        position += take;
      }
    }
    return out.iterator();
  }

  private static Row blockRow(String source, long block, Iterable<Tuple2<Integer, int[]>> pieces, int blockSize,
      long firstTest) {
    int[] ids = new int[blockSize];
    for (Tuple2<Integer, int[]> piece : pieces) {
      System.arraycopy(piece._2(), 0, ids, piece._1(), piece._2().length);
    }
    boolean[] mask = new boolean[blockSize];
    Arrays.fill(mask, true);
    return RowFactory.create(source + ":block:" + block, source,
        block >= firstTest ? Columns.SPLIT_TEST : Columns.SPLIT_TRAIN, Columns.BENIGN, false, null, null, null,
        ids, mask);
  }

  private static int[] prepend(int id, int[] ids) {
    int[] out = new int[ids.length + 1];
    out[0] = id;
    System.arraycopy(ids, 0, out, 1, ids.length);
    return out;
  }
}
