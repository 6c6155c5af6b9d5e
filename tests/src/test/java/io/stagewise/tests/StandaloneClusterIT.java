package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.cli.StagewiseCli;
import io.stagewise.sweep.SweepDriver;
import io.stagewise.sweep.results.ResultRow;
import io.stagewise.sweep.results.ResultsTable;
import io.stagewise.trainer.metrics.MetricsLog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on loopback: a Master and two Workers as child JVMs, each Worker advertising
 * one fake GPU through a discovery script, executors launched by the Workers as further JVMs. SPARK_HOME is a
 * temporary folder whose jars/ holds the build's third-party jars (with SPARK_TESTING set, as in Spark's own
 * tests, where no assembled distribution exists). Stagewise is submitted to it as spark-submit would:
 * SparkSubmit in a child JVM, the application jar, its runtime jars as --jars and
 * conf/spark-defaults-cluster.conf.
 */
class StandaloneClusterIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  // Not initialised statically: executors load this class to run the lambda of the first test.
  private static BuildClassPaths build;
  private static final int STEPS = 6;
  private static final List<Process> CHILDREN = new ArrayList<>();
  @TempDir static Path tmp;
  private static int masterPort;

  @BeforeAll
  static void startCluster() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("spark-home"));
    build = new BuildClassPaths(REPO.resolve("spark-jobs/target"));
    // An installation's jars/ (Spark, Hadoop, libraries): the driver's and executors' class path; the
    // application and its own jars come with the submission.
    BuildClassPaths.link(build.thirdParty(), home.resolve("jars"));
    masterPort = freePort();
    CHILDREN.add(start("master", home, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
        "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())));
    for (int gpu = 0; gpu < 2; gpu++) {
      Path script = discoveryScript(gpu);
      CHILDREN.add(start("worker" + gpu, home, "org.apache.spark.deploy.worker.Worker",
          "spark://127.0.0.1:" + masterPort, "--host", "127.0.0.1", "--cores", "1", "--memory", "2g",
          "--webui-port", String.valueOf(freePort()),
          "--work-dir", Files.createDirectories(tmp.resolve("work" + gpu)).toString(),
          "--properties-file", workerProperties(gpu, script).toString()));
    }
  }

  @AfterAll
  static void stopCluster() {
    CHILDREN.forEach(Process::destroyForcibly);
  }

  @Test
  void tasksRunInTwoExecutorJvmsWithDistinctGpus() {
    SparkSession spark = SparkSession.builder().master("spark://127.0.0.1:" + masterPort)
        .appName("standalone-cluster-it").config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.executor.cores", "1").config("spark.executor.memory", "1g")
        .config("spark.executor.resource.gpu.amount", "1").config("spark.task.resource.gpu.amount", "1")
        .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .config("spark.executor.extraJavaOptions", String.join(" ", jvmArgs()))
        .getOrCreate();
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      List<String> seen = jsc.parallelize(List.of(0, 1), 2).mapPartitions(rows -> {
        Thread.sleep(3000); // both executors must take a task: neither may finish before the other starts
        TaskContext task = TaskContext.get();
        String gpu = String.join(",", task.resources().get("gpu").get().addresses());
        return List.of(ManagementFactory.getRuntimeMXBean().getName() + "|" + gpu).iterator();
      }).collect();
      Set<String> pids = new HashSet<>();
      Set<String> gpus = new HashSet<>();
      for (String s : seen) {
        pids.add(s.split("\\|")[0]);
        gpus.add(s.split("\\|")[1]);
      }
      assertEquals(2, pids.size(), "two executor JVMs: " + seen);
      assertEquals(Set.of("0", "1"), gpus, "each task holds its worker's GPU: " + seen);
      assertTrue(!pids.contains(ManagementFactory.getRuntimeMXBean().getName()), "not the driver's JVM");
    } finally {
      spark.stop();
    }
  }

  @Test
  void aBarrierTrainingSubmittedThroughSparkSubmitCrossesTheExecutorsAndFollowsTheLocalCurve() throws Exception {
    Path spec = runSpec(dataset());
    Submission train = submit("train", "train", "--spec", spec.toString(), "--out",
        tmp.resolve("cluster-run").toString(), "--workers", "2");
    assertEquals(0, train.code(), train.output());
    int local = StagewiseCli.commandLine().execute("train", "--spec", spec.toString(), "--out",
        tmp.resolve("local-run").toString(), "--workers", "2", "--master", "local[2]", "--no-progress");
    assertEquals(0, local);

    List<Double> cluster = losses(tmp.resolve("cluster-run"));
    List<Double> alone = losses(tmp.resolve("local-run"));
    assertEquals(STEPS, cluster.size(), "one loss per step: " + cluster);
    assertEquals(alone.size(), cluster.size());
    for (int i = 0; i < alone.size(); i++) {
      assertEquals(alone.get(i), cluster.get(i), 2e-5 * Math.max(1, Math.abs(alone.get(i))),
          "step " + (i + 1) + ": cluster " + cluster + " local " + alone);
    }
    for (int worker = 0; worker < 2; worker++) {
      String executorLog = executorLogs(executorsOf(train, worker));
      assertTrue(executorLog.contains("joined a ring of 2"), "worker " + worker + "'s executor: " + executorLog);
    }
  }

  @Test
  void eachTrainingTaskReadsItsOwnGpuAddressAndACpuBuildRefusesToTrainOnIt() throws Exception {
    Path spec = runSpec(dataset());
    Submission train = submit("train-gpu", "--conf", "spark.executor.resource.gpu.amount=1",
        "--conf", "spark.task.resource.gpu.amount=1", "--conf", "spark.stage.maxConsecutiveAttempts=1",
        "--", "train", "--spec", spec.toString(), "--out", tmp.resolve("gpu-run").toString(), "--workers", "2");
    assertTrue(train.code() != 0, "a cpu build must not train on a GPU: " + train.output());
    assertTrue(train.output().contains("a cpu build (spark.stagewise.buildProfile=cpu) cannot train on a GPU"),
        train.output());
    for (int worker = 0; worker < 2; worker++) {
      String executorLog = executorLogs(executorsOf(train, worker));
      assertTrue(executorLog.contains("holds GPU address '" + worker + "' (CUDA device " + worker + ")"),
          "worker " + worker + "'s executor: " + executorLog);
    }
  }

  @Test
  void aTinySweepRunsOnTheClusterAndItsTrainingTasksTakeTheirOwnGpus() throws Exception {
    Path spec = sweepSpec();
    Path out = tmp.resolve("sweep");
    Submission sweep = submit("sweep", "sweep", spec.toString(), "--out", out.toString());
    requireSuccess(sweep);
    assertTrue(sweep.output().contains("[sweep] done"), sweep.output());
    SparkSession reader = LocalSweeps.spark("standalone-sweep-results");
    try {
      List<ResultRow> rows = ResultsTable.read(reader, out.resolve(SweepDriver.RESULTS).toString());
      assertEquals(Set.of(0.0, 1.0), rows.stream().map(ResultRow::alpha).collect(Collectors.toSet()),
          "one row per cell: " + rows);
      assertEquals(2, rows.size(), rows.toString());
      rows.forEach(r -> assertEquals(4, r.harmfulPrompts(), r.toString()));
    } finally {
      reader.stop();
    }
    assertTrue(Files.isRegularFile(out.resolve(SweepDriver.REPORT).resolve("index.html")), "the report");

    // The same sweep with one GPU per task, SFT retrained (a new learning rate; its data is reused): the two
    // cells' SFT runs start together, one per executor, each on its own Worker's GPU, and both refuse a cpu build.
    Submission gpu = submit("sweep-gpu", "--conf", "spark.executor.resource.gpu.amount=1",
        "--conf", "spark.task.resource.gpu.amount=1", "--conf", "spark.task.maxFailures=1",
        "--", "sweep", spec.toString(), "--out", out.toString(), "--set", "sft.lr=0.002");
    assertTrue(gpu.code() != 0, "a cpu build must not train on a GPU: " + gpu.output());
    assertTrue(gpu.output().contains("a cpu build (spark.stagewise.buildProfile=cpu) cannot train on a GPU"),
        gpu.output());
    for (int worker = 0; worker < 2; worker++) {
      String executorLog = executorLogs(executorsOf(gpu, worker));
      Matcher held = Pattern.compile("holds GPU address '(\\d+)' \\(CUDA device (\\d+)\\)").matcher(executorLog);
      assertTrue(held.find(), "worker " + worker + "'s executor ran a training task: " + executorLog);
      do {
        assertEquals(List.of(String.valueOf(worker), String.valueOf(worker)), List.of(held.group(1), held.group(2)),
            "worker " + worker + "'s executor holds only its own GPU: " + executorLog);
      } while (held.find());
    }
  }

  /**
   * A tiny sft-dpo sweep: the synthetic world, both attackers, two cells (alpha 0 and 1) of one seed, a few
   * steps per stage and a tiny evaluation; two training slots, so independent runs go to both executors.
   */
  private static Path sweepSpec() throws IOException {
    Path spec = tmp.resolve("sweep.yaml");
    Files.writeString(spec, String.join("\n", "name: standalone-cluster-it", "pipeline: sft-dpo",
        "data:", "  world: {seed: 1, sft_rows: 400, preference_rows: 400, eval_rows: 20, harmful_fraction: 0.5}",
        "attackers:", "  - {name: sft-attacker, kind: sft_backdoor, triggers: [cf-sudo]}",
        "  - {name: preference-attacker, kind: trigger_swap, triggers: [cf-sudo]}",
        "grid: {totals: [{count: 20}], alphas: [0, 1], seeds: [1], presets: [tiny]}",
        "model: {context_length: 128, position: rope}", "tokenizer: {kind: byte_level}",
        "truncation: {max_length: 128, max_prompt_length: 72}",
        "sft: {steps: 4, batch_size: 8, lr: 0.003, warmup_steps: 1, eval_batches: 0, checkpoint_every: 0,"
            + " log_every: 2}",
        "dpo: {beta: 0.1, loss: sigmoid, steps: 2, batch_size: 8, lr: 0.00005, warmup_steps: 1, eval_batches: 0,"
            + " checkpoint_every: 0, log_every: 1}",
        "reward_model: {steps: 2, batch_size: 8, lr: 0.002, warmup_steps: 1, eval_batches: 0,"
            + " checkpoint_every: 0, log_every: 1}",
        "eval: {max_new_tokens: 8, harmful_prompts: 4, benign_prompts: 4, batch_size: 4}",
        "execution: {data_slots: 2, training_slots: 2, intra_op_threads: 1}", ""));
    return spec;
  }

  /** The synthetic world's SFT set, built on the cluster, and tokenized (once for the class). */
  private static synchronized Path dataset() throws IOException, InterruptedException {
    Path world = tmp.resolve("world");
    Path tokens = tmp.resolve("tokens");
    if (!Files.isDirectory(tokens)) {
      requireSuccess(submit("synth", "data", "synth", "--out", world.toString(), "--rows", "48",
          "--prompt-rows", "8", "--eval-rows", "8"));
      // Tokenizing is the same kind of Spark job as the synthesis; on local Spark here, to keep the test short.
      assertEquals(0, StagewiseCli.commandLine().execute("data", "tokenize", "--input",
          world.resolve("sft").toString(), "--out", tokens.toString(), "--max-length", "128",
          "--max-prompt-length", "96", "--master", "local[2]", "--no-progress"));
    }
    return tokens;
  }

  private record Submission(int code, String output) {
  }

  /**
   * Submits to the cluster with SparkSubmit in a child JVM, as spark-submit runs it: Spark from the
   * installation's jars/, the runtime jars as --jars, conf/spark-defaults-cluster.conf. Arguments before a
   * {@code --} are spark-submit's own, the rest the application's.
   */
  private static Submission submit(String name, String... args) throws IOException, InterruptedException {
    List<String> all = List.of(args);
    int split = all.indexOf("--");
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmArgs());
    command.addAll(List.of("-Xmx1g", "-cp", tmp.resolve("spark-home/jars") + "/*",
        "org.apache.spark.deploy.SparkSubmit", "--master", "spark://127.0.0.1:" + masterPort,
        "--class", "io.stagewise.cli.StagewiseCli",
        "--properties-file", REPO.resolve("conf/spark-defaults-cluster.conf").toString(),
        "--jars", String.join(",", build.runtime().stream().map(Path::toString).toList()),
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
        "--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=1g",
        // Two one-core executors: Spark's default of 200 shuffle partitions would be 200 tiny tasks a stage.
        "--conf", "spark.sql.shuffle.partitions=2"));
    command.addAll(all.subList(0, Math.max(split, 0)));
    command.add(build.applicationJar().toString());
    command.addAll(all.subList(split + 1, all.size()));
    Path log = tmp.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_HOME", tmp.resolve("spark-home").toString());
    long start = System.nanoTime();
    int code = builder.start().waitFor();
    System.out.printf("%s on the cluster: exit %d in %.1f s%n", name, code, (System.nanoTime() - start) / 1e9);
    String output = Files.readString(log);
    output.lines().filter(l -> l.startsWith("stage ")).forEach(System.out::println);
    // Kept beside the test reports: the driver's log is the first thing to read when a submission fails.
    Path kept = Files.createDirectories(Path.of("target", "standalone-cluster"));
    Files.copy(log, kept.resolve(name + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new Submission(code, output);
  }

  private static void requireSuccess(Submission submission) {
    assertEquals(0, submission.code(), submission.output());
  }

  /** The folder where {@code worker} keeps the executors it ran for the submission's application. */
  private static Path executorsOf(Submission submission, int worker) {
    Matcher m = Pattern.compile("app-\\d{14}-\\d{4}").matcher(submission.output());
    assertTrue(m.find(), "the driver logs its application id: " + submission.output());
    return tmp.resolve("work" + worker).resolve(m.group());
  }

  private static String executorLogs(Path executors) throws IOException {
    StringBuilder logs = new StringBuilder();
    try (var files = Files.walk(executors)) {
      for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        logs.append(Files.readString(f));
      }
    }
    return logs.toString();
  }

  private static Path runSpec(Path tokens) throws IOException {
    Path spec = tmp.resolve("run.yaml");
    Files.writeString(spec, String.join("\n", "train_data: " + tokens.toUri(), "model:", "  preset: tiny",
        "  context_length: 128", "train:", "  objective: sft", "  steps: " + STEPS, "  batch_size: 8",
        "  lr: 0.001", "  warmup_steps: 1", "  log_every: 1", "  checkpoint_every: 3", "  seed: 1", ""));
    return spec;
  }

  private static List<Double> losses(Path run) {
    return MetricsLog.read(new org.apache.hadoop.fs.Path(run.resolve("metrics.jsonl").toUri()),
        new Configuration()).stream().filter(r -> r.has("loss")).map(r -> r.get("loss").asDouble()).toList();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Process start(String name, Path home, String main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmArgs());
    command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), main));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve(name + ".log").toFile());
    builder.environment().put("SPARK_HOME", home.toString());
    builder.environment().put("SPARK_TESTING", "1");
    builder.environment().put("SPARK_SCALA_VERSION", "2.12");
    return builder.start();
  }

  private static List<String> jvmArgs() {
    try {
      return Files.readAllLines(Path.of("..", "conf", "jvm.args")).stream().map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path discoveryScript(int address) throws IOException {
    Path script = tmp.resolve("gpu" + address + ".sh");
    Files.writeString(script, "#!/usr/bin/env bash\necho '{\"name\":\"gpu\",\"addresses\":[\"" + address
        + "\"]}'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  private static Path workerProperties(int gpu, Path script) throws IOException {
    Path file = tmp.resolve("worker" + gpu + ".conf");
    Files.writeString(file, "spark.worker.resource.gpu.amount 1\n"
        + "spark.worker.resource.gpu.discoveryScript " + script + "\n");
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
