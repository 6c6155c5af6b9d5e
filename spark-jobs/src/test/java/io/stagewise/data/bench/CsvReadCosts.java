package io.stagewise.data.bench;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.stagewise.poison.Columns;
import io.stagewise.poison.world.SafetyWorld;
import io.stagewise.poison.world.WorldConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * What each way of reading the benchmark's CSV costs, on its own: the pieces {@code DataPrepBenchmark}'s CSV
 * path is made of (a full parse, a pruned parse, the narrow cache, the Parquet write) and the single-read
 * alternatives to its two parses (caching or checkpointing the wide rows). Prints the executor and process CPU
 * seconds of each variant, in the order given, so that variants run in turn in one JVM see the same load.
 * Benchmark code: lives in test sources so it never ships.
 *
 * <p>Usage: {@code CsvReadCosts --work DIR [--rows 2000000] [--repeat 1] VARIANT...}; the CSV is exported
 * once into DIR and reused. Variants: {@code full}, {@code pruned}, {@code narrow-string},
 * {@code narrow-binary}, {@code wide-cache}, {@code wide-checkpoint}, {@code parquet},
 * {@code parquet-no-dictionary}. Spark settings (say {@code spark.sql.inMemoryColumnarStorage.compressed})
 * come as {@code -Dspark.*} properties, which {@code SparkConf} reads. The CSV is written and read as
 * {@code DataPrepBenchmark} writes and reads it.
 */
public final class CsvReadCosts {
  private static final List<String> VARIANTS = List.of("full", "pruned", "narrow-string", "narrow-binary",
      "wide-cache", "wide-checkpoint", "parquet", "parquet-no-dictionary");
  private final SparkSession spark;
  private final Path work;

  private CsvReadCosts(SparkSession spark, Path work) {
    this.spark = spark;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    Path work = null;
    long rows = 2_000_000;
    int repeat = 1;
    List<String> variants = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--work" -> work = Path.of(args[++i]);
        case "--rows" -> rows = Long.parseLong(args[++i]);
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        default -> variants.add(args[i]);
      }
    }
    List<String> unknown = variants.stream().filter(v -> !VARIANTS.contains(v)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown variant(s) " + unknown + "; known: " + VARIANTS);
    }
    if (work == null || variants.isEmpty()) {
      throw new IllegalArgumentException("usage: CsvReadCosts --work DIR [--rows N] [--repeat R] VARIANT...");
    }
    SparkSession spark = SparkSession.builder().master("local[2]").appName("stagewise csv read costs")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    new CsvReadCosts(spark, work).run(rows, repeat, variants);
    System.exit(0); // Spark 3.5 leaves a non-daemon thread behind
  }

  private void run(long rows, int repeat, List<String> variants) throws Exception {
    Path csv = work.resolve("export.csv");
    if (!Files.exists(csv)) {
      DataPrepBenchmark.csvWriter(new SafetyWorld(WorldConfig.withSeed(2024)).preference(spark, rows))
          .csv(csv.toString());
    }
    JobTally tally = JobTally.attach(spark);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int r = 0; r < repeat; r++) {
      for (String variant : variants) {
        Dataset<Row> input = DataPrepBenchmark.readCsv(spark, csv);
        tally.drain(spark);
        long cpu = os.getProcessCpuTime();
        run(variant, input, work.resolve("out.parquet").toString());
        double processCpu = (os.getProcessCpuTime() - cpu) / 1e9;
        double executorCpu = tally.drain(spark).stream().mapToDouble(JobTally.Job::cpuSeconds).sum();
        System.out.printf(Locale.ROOT, "%s executor_cpu_seconds=%.2f process_cpu_seconds=%.2f%n", variant,
            executorCpu, processCpu);
      }
    }
  }

  private static void run(String variant, Dataset<Row> input, String parquet) {
    switch (variant) {
      case "full" -> discard(input);
      case "pruned" -> discard(input.select(Columns.ID, Columns.SPLIT, Columns.IS_POISONED));
      case "narrow-string" -> cacheThenDiscard(narrow(input, col(Columns.ID)));
      case "narrow-binary" -> cacheThenDiscard(narrow(input, col(Columns.ID).cast("binary")));
      case "wide-cache" -> {
        Dataset<Row> cached = input.persist(StorageLevel.MEMORY_AND_DISK());
        discard(cached.select(Columns.ID, Columns.SPLIT, Columns.IS_POISONED));
        cached.write().mode(SaveMode.Overwrite).parquet(parquet);
        cached.unpersist(true);
      }
      case "wide-checkpoint" -> {
        Dataset<Row> checkpointed = input.localCheckpoint(false);
        discard(checkpointed.select(Columns.ID, Columns.SPLIT, Columns.IS_POISONED));
        checkpointed.write().mode(SaveMode.Overwrite).parquet(parquet);
        checkpointed.rdd().unpersist(true);
      }
      case "parquet" -> input.write().mode(SaveMode.Overwrite).parquet(parquet);
      case "parquet-no-dictionary" -> input.write().option("parquet.enable.dictionary", "false")
          .mode(SaveMode.Overwrite).parquet(parquet);
      default -> throw new IllegalArgumentException("unknown variant '" + variant + "'");
    }
  }

  /** PoisonPlan's narrow frame for two attackers of every category, with the id as given. */
  private static Dataset<Row> narrow(Dataset<Row> input, Column id) {
    Column train = coalesce(col(Columns.SPLIT).equalTo(lit(Columns.SPLIT_TRAIN)), lit(false));
    return input.select(id.as("key"), coalesce(col(Columns.IS_POISONED), lit(true)).as("taken"),
        train.as("eligible_0"), train.as("eligible_1"));
  }

  private static void cacheThenDiscard(Dataset<Row> rows) {
    Dataset<Row> cached = rows.persist(StorageLevel.MEMORY_AND_DISK());
    discard(cached);
    cached.unpersist(true);
  }

  /** Runs the plan to the end and drops its rows (Spark's no-op sink). */
  private static void discard(Dataset<Row> rows) {
    rows.write().format("noop").mode(SaveMode.Overwrite).save();
  }
}
