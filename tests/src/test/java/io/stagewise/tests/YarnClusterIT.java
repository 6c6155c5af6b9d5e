package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.cli.StagewiseCli;
import io.stagewise.trainer.metrics.MetricsLog;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stagewise on a real YARN cluster with HDFS ({@link YarnHdfsCluster}), submitted the way a user does:
 * {@code deploy/submit-yarn.sh} from the source checkout, so {@code bin/stagewise} and the YARN properties
 * ({@code conf/spark-defaults-yarn.conf}, cluster deploy mode) build the spark-submit call, and a
 * {@code spark-submit} on the PATH runs {@code SparkSubmit} in a child JVM. Inputs, outputs and checkpoints are
 * on {@code hdfs://}; the runtime jars are uploaded to HDFS once and named through {@code STAGEWISE_YARN_LIB}.
 * The driver runs in the ApplicationMaster's container, the two training workers in two executor containers.
 */
class YarnClusterIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final Pattern APPLICATION = Pattern.compile("application_\\d+_\\d+");
  private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d+)-w(\\d+)");
  private static final int STEPS = 12;
  private static final int CHECKPOINT_EVERY = 3;
  private static final String NATIVES = "/apps/stagewise/natives.tar";
  @TempDir static Path tmp;
  private static YarnHdfsCluster cluster;
  private static BuildClassPaths build;
  private static Path spec;
  private static List<Double> localLosses;

  @BeforeAll
  static void startAndBuildADataset() throws Exception {
    build = new BuildClassPaths(REPO.resolve("spark-jobs/target"));
    cluster = YarnHdfsCluster.start(tmp.resolve("cluster"), 6144, 4);
    FileSystem fs = cluster.fileSystem();
    for (Path jar : build.runtime()) {
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(jar.toUri()),
          new org.apache.hadoop.fs.Path(cluster.hdfs("/apps/stagewise/lib/" + jar.getFileName())));
    }
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(packNatives().toUri()),
        new org.apache.hadoop.fs.Path(cluster.hdfs(NATIVES)));
    URI world = cluster.hdfs("/data/world");
    requireSucceeded(submit("synth", "data", "synth", "--out", world.toString(), "--rows", "48",
        "--prompt-rows", "8", "--eval-rows", "8"));
    URI tokens = cluster.hdfs("/data/tokens");
    // Tokenizing is the same kind of Spark job as the synthesis; on local Spark here, to keep the test short.
    assertEquals(0, StagewiseCli.commandLine().execute("data", "tokenize", "--input", world + "/sft", "--out",
        tokens.toString(), "--max-length", "128", "--max-prompt-length", "96", "--master", "local[2]",
        "--no-progress"));
    spec = runSpec(tokens);
    URI local = cluster.hdfs("/runs/local");
    assertEquals(0, StagewiseCli.commandLine().execute("train", "--spec", spec.toString(), "--out",
        local.toString(), "--workers", "2", "--master", "local[2]", "--no-progress"));
    localLosses = losses(local);
    assertEquals(STEPS, localLosses.size(), "one loss per step: " + localLosses);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aBarrierTrainingInClusterModeSucceedsInOneAttemptAndFollowsTheLocalCurve() throws Exception {
    URI out = cluster.hdfs("/runs/yarn");
    requireSucceeded(submit("train", "train", "--spec", spec.toString(), "--out", out.toString(),
        "--workers", "2"));
    assertSameCurve(losses(out));
    assertTrue(checkpoints(out).stream().anyMatch(c -> c.step() == STEPS), "the last step is checkpointed on "
        + "HDFS: " + checkpoints(out));
  }

  @Test
  void aKilledExecutorIsReplacedAndTheRetriedStageResumesFromTheHdfsCheckpoint() throws Exception {
    URI out = cluster.hdfs("/runs/killed");
    Path log = tmp.resolve("train-killed.log");
    Process submission = launch(log, "train", "--spec", spec.toString(), "--out", out.toString(),
        "--workers", "2");
    try {
      killOneExecutorAfterTheFirstCheckpoint(out, submission, log);
    } finally {
      // A failed assertion must not leave the submitting JVMs running after the test.
      submission.descendants().forEach(ProcessHandle::destroyForcibly);
      submission.destroyForcibly();
    }
  }

  private static void killOneExecutorAfterTheFirstCheckpoint(URI out, Process submission, Path log)
      throws Exception {
    Checkpoint first = firstCommittedCheckpoint(out, submission, log);
    String application = applicationId(Files.readString(log));
    List<ProcessHandle> executors = YarnHdfsCluster.executorJvms(application);
    assertEquals(2, executors.size(), "two executor JVMs while the barrier stage trains: " + executors);
    for (ProcessHandle executor : executors) {
      assertLibtorchFromTheNativesArchive(executor);
    }
    executors.get(1).destroyForcibly();
    executors.get(1).onExit().get(30, TimeUnit.SECONDS);
    System.out.printf("killed executor JVM %d of %s after checkpoint %s%n", executors.get(1).pid(),
        application, first);
    requireSucceeded(finish("train-killed", submission, log));

    assertSameCurve(losses(out));
    List<Checkpoint> all = checkpoints(out);
    List<Checkpoint> retried = all.stream().filter(c -> c.writer() > first.writer()).toList();
    assertTrue(!retried.isEmpty(), "a retried attempt wrote checkpoints: " + all);
    // A retry that started over would have checkpointed step CHECKPOINT_EVERY again under its own writer.
    assertTrue(retried.stream().allMatch(c -> c.step() > first.step()),
        "the retry resumed after " + first + ": " + all);
    assertTrue(all.contains(first), "the checkpoint the retry resumed from is kept: " + all);
  }

  /**
   * The executor runs libtorch straight from the natives archive YARN unpacked into its public cache
   * ({@code filecache/N/natives.tar/}), so no task extracted it.
   */
  private static void assertLibtorchFromTheNativesArchive(ProcessHandle executor) throws IOException {
    List<String> libtorch = Files.readAllLines(Path.of("/proc", String.valueOf(executor.pid()), "maps")).stream()
        .filter(l -> l.contains("/libtorch")).map(l -> l.substring(l.indexOf('/'))).distinct().toList();
    assertTrue(!libtorch.isEmpty(), "executor " + executor.pid() + " has loaded libtorch");
    for (String library : libtorch) {
      assertTrue(library.contains("/filecache/") && library.contains("/natives.tar/pytorch/"),
          "executor " + executor.pid() + " maps " + library + ", not the localised natives archive");
    }
  }

  private static void assertSameCurve(List<Double> cluster) {
    assertEquals(localLosses.size(), cluster.size(), "one loss per step: " + cluster);
    for (int i = 0; i < localLosses.size(); i++) {
      double expected = localLosses.get(i);
      assertEquals(expected, cluster.get(i), 2e-5 * Math.max(1, Math.abs(expected)),
          "step " + (i + 1) + ": yarn " + cluster + " local " + localLosses);
    }
  }

  /** Waits for the run's first committed checkpoint while the submission still runs. */
  private static Checkpoint firstCommittedCheckpoint(URI out, Process submission, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      List<Checkpoint> committed = checkpoints(out);
      if (!committed.isEmpty()) {
        return committed.get(0);
      }
      assertTrue(submission.isAlive(), "the submission ended before a checkpoint: " + Files.readString(log));
      Thread.sleep(100);
    }
    submission.destroyForcibly();
    throw new AssertionError("no checkpoint within 5 minutes: " + Files.readString(log));
  }

  private record Checkpoint(long step, long writer) {
  }

  /** The committed checkpoints under a run's output, by step. */
  private static List<Checkpoint> checkpoints(URI out) throws IOException {
    FileSystem fs = cluster.fileSystem();
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(out.toString(), "checkpoints");
    if (!fs.exists(root)) {
      return List.of();
    }
    List<Checkpoint> found = new ArrayList<>();
    for (FileStatus status : fs.listStatus(root)) {
      Matcher m = CHECKPOINT.matcher(status.getPath().getName());
      if (m.matches() && fs.exists(new org.apache.hadoop.fs.Path(status.getPath(), "_COMMITTED"))) {
        found.add(new Checkpoint(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
      }
    }
    found.sort((a, b) -> Long.compare(a.step(), b.step()));
    return found;
  }

  private record YarnRun(String name, int code, String output, String application) {
  }

  private static YarnRun submit(String name, String... args) throws IOException, InterruptedException {
    Path log = tmp.resolve(name + ".log");
    return finish(name, launch(log, args), log);
  }

  /**
   * Runs {@code deploy/submit-yarn.sh} with the application's arguments, as a user would: the YARN properties
   * (sized for this machine, see {@link #properties}), the runtime jars on HDFS, HADOOP_CONF_DIR naming the
   * clusters, and on the PATH a spark-submit and an mvn that refuses to build.
   */
  private static Process launch(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(REPO.resolve("deploy/submit-yarn.sh").toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("STAGEWISE_") || k.startsWith("SPARK_"));
    builder.environment().putAll(Map.of(
        "STAGEWISE_PROPERTIES", properties().toString(),
        "STAGEWISE_YARN_LIB", cluster.hdfs("/apps/stagewise/lib").toString(),
        "STAGEWISE_YARN_NATIVES", cluster.hdfs(NATIVES).toString(),
        "HADOOP_CONF_DIR", cluster.confDir().toString(),
        "PATH", tools() + ":/usr/bin:/bin"));
    return builder.start();
  }

  /** Runs {@code deploy/yarn/pack-natives.sh}, as a user does once per build. */
  private static Path packNatives() throws IOException, InterruptedException {
    Path archive = tmp.resolve("natives.tar");
    Path log = tmp.resolve("pack-natives.log");
    ProcessBuilder builder = new ProcessBuilder(REPO.resolve("deploy/yarn/pack-natives.sh").toString(),
        archive.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("STAGEWISE_"));
    builder.environment().put("PATH", tools() + ":/usr/bin:/bin");
    assertEquals(0, builder.start().waitFor(), Files.readString(log));
    return archive;
  }

  private static YarnRun finish(String name, Process submission, Path log) throws IOException,
      InterruptedException {
    long start = System.nanoTime();
    int code = submission.waitFor();
    String output = Files.readString(log);
    Matcher m = APPLICATION.matcher(output);
    String application = m.find() ? m.group() : null;
    System.out.printf("%s on YARN (%s): exit %d, waited %.1f s%n", name, application, code,
        (System.nanoTime() - start) / 1e9);
    Path kept = Files.createDirectories(Path.of("target", "yarn-cluster"));
    Files.copy(log, kept.resolve(name + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new YarnRun(name, code, output, application);
  }

  private static String applicationId(String output) {
    Matcher m = APPLICATION.matcher(output);
    assertTrue(m.find(), "the client logs its application id: " + output);
    return m.group();
  }

  /** Exit 0, and the ResourceManager's own word: final status SUCCEEDED after exactly one attempt. */
  private static void requireSucceeded(YarnRun run) throws Exception {
    assertEquals(0, run.code(), run.output());
    String application = applicationId(run.output());
    ApplicationReport report = cluster.report(application);
    assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), run.name() + ": "
        + report.getDiagnostics());
    assertEquals(1, cluster.attempts(application), run.name() + " ran in one ApplicationMaster attempt");
  }

  /**
   * {@code conf/spark-defaults-yarn.conf} for this machine: no GPU (the NodeManager has none) and one core and
   * 1 GiB per executor instead of a GPU node's sizes; every other setting as shipped. Added: Spark's own jars,
   * which an installation on every node holds ({@code local:}, as Spark's YARN tests give them), and the Java
   * the containers run.
   */
  private static synchronized Path properties() throws IOException {
    Path file = tmp.resolve("spark-defaults-yarn-it.conf");
    if (Files.exists(file)) {
      return file;
    }
    Properties conf = new Properties();
    try (Reader in = Files.newBufferedReader(REPO.resolve("conf/spark-defaults-yarn.conf"))) {
      conf.load(in);
    }
    conf.stringPropertyNames().stream().filter(k -> k.contains(".resource.gpu.")).forEach(conf::remove);
    conf.setProperty("spark.executor.instances", "2");
    conf.setProperty("spark.executor.cores", "1");
    conf.setProperty("spark.task.cpus", "1");
    conf.setProperty("spark.executor.memory", "1g");
    conf.setProperty("spark.executor.memoryOverhead", "512m");
    conf.setProperty("spark.driver.memory", "1g");
    conf.setProperty("spark.sql.shuffle.partitions", "2");
    conf.setProperty("spark.ui.enabled", "false");
    // On a loaded 2-core machine the driver's SparkContext can take minutes, past the default 100 s.
    conf.setProperty("spark.yarn.am.waitTime", "600s");
    // And its executors some minutes to start: the barrier stage waits for them this long (TaskSlots).
    conf.setProperty("spark.scheduler.maxRegisteredResourcesWaitingTime", "600s");
    conf.setProperty("spark.yarn.jars", "local:" + sparkJars() + "/*");
    String java = System.getProperty("java.home");
    conf.setProperty("spark.yarn.appMasterEnv.JAVA_HOME", java);
    conf.setProperty("spark.executorEnv.JAVA_HOME", java);
    // The shipped file's own format ("key value"): bin/stagewise reads the deploy mode from it with awk.
    StringBuilder text = new StringBuilder("# conf/spark-defaults-yarn.conf sized for YarnClusterIT\n");
    new TreeSet<>(conf.stringPropertyNames())
        .forEach(k -> text.append(k).append(' ').append(conf.getProperty(k)).append('\n'));
    Files.writeString(file, text);
    return file;
  }

  /** A Spark installation's jars/: the build's third-party jars and Spark's YARN module. */
  private static Path sparkJars() throws IOException {
    Path jars = tmp.resolve("spark-home/jars");
    if (!Files.isDirectory(jars)) {
      List<Path> all = new ArrayList<>(build.thirdParty());
      Arrays.stream(System.getProperty("java.class.path").split(":")).map(Path::of)
          .filter(p -> p.getFileName().toString().startsWith("spark-yarn_")).forEach(all::add);
      BuildClassPaths.link(all, jars);
    }
    return jars;
  }

  /** spark-submit (SparkSubmit in a child JVM, as bin/spark-class runs it) and an mvn that must not run. */
  private static Path tools() throws IOException {
    Path bin = tmp.resolve("bin");
    if (Files.isDirectory(bin)) {
      return bin;
    }
    Files.createDirectories(bin);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    write(bin.resolve("spark-submit"), "exec '" + java + "' @'" + REPO.resolve("conf/jvm.args") + "' -Xmx512m"
        + " -cp \"$HADOOP_CONF_DIR:" + sparkJars() + "/*\" org.apache.spark.deploy.SparkSubmit \"$@\"");
    write(bin.resolve("mvn"), "echo 'YarnClusterIT: bin/stagewise tried to build' >&2; exit 3");
    return bin;
  }

  private static void write(Path script, String body) throws IOException {
    Files.writeString(script, "#!/usr/bin/env bash\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static Path runSpec(URI tokens) throws IOException {
    Path file = tmp.resolve("run.yaml");
    Files.writeString(file, String.join("\n", "train_data: " + tokens, "model:", "  preset: tiny",
        "  context_length: 128", "train:", "  objective: sft", "  steps: " + STEPS, "  batch_size: 8",
        "  lr: 0.001", "  warmup_steps: 1", "  log_every: 1", "  checkpoint_every: " + CHECKPOINT_EVERY,
        "  keep_checkpoints: " + STEPS, "  seed: 1", ""));
    return file;
  }

  private static List<Double> losses(URI run) {
    return MetricsLog.read(new org.apache.hadoop.fs.Path(run + "/metrics.jsonl"), new Configuration()).stream()
        .filter(r -> r.has("loss")).map(r -> r.get("loss").asDouble()).toList();
  }
}
