package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * temporary folder with an empty jars/ (SPARK_TESTING lets the launcher accept it); the executors get the test
 * class path through spark.executor.extraClassPath.
 *
 * <p>Work in progress (issue 12): this checks only that two concurrent tasks runs in two executor JVMs
 * holding distinct GPU addresses; the Stagewise job submitted through SparkSubmit is not yet here.
 */
class StandaloneClusterIT {
  private static final List<Process> CHILDREN = new ArrayList<>();
  @TempDir static Path tmp;
  private static int masterPort;

  @BeforeAll
  static void startCluster() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("spark-home"));
    Files.createDirectories(home.resolve("jars"));
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

  private static Process start(String name, Path home, String main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
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
