package io.stagewise.tests;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * HDFS (one NameNode, one DataNode) and YARN (a ResourceManager and one NodeManager) in this JVM, from
 * {@code hadoop-client-minicluster}, with a Hadoop configuration directory that clients (spark-submit) read as
 * {@code HADOOP_CONF_DIR}. Containers are child processes of this JVM, launched by the NodeManager's default
 * executor, so their JVMs can be found and killed here.
 */
final class YarnHdfsCluster implements AutoCloseable {
  private final MiniDFSCluster hdfs;
  private final MiniYARNCluster yarn;
  private final YarnClient client;
  private final Path confDir;

  private YarnHdfsCluster(MiniDFSCluster hdfs, MiniYARNCluster yarn, Path confDir) {
    this.hdfs = hdfs;
    this.yarn = yarn;
    this.confDir = confDir;
    this.client = YarnClient.createYarnClient();
    client.init(yarn.getConfig());
    client.start();
  }

  /** Starts both clusters; the NodeManager offers {@code memoryMb} and {@code vcores} to containers. */
  static YarnHdfsCluster start(Path dir, int memoryMb, int vcores) throws IOException, InterruptedException {
    Configuration hdfsConf = new Configuration();
    MiniDFSCluster hdfs = new MiniDFSCluster.Builder(hdfsConf, dir.resolve("hdfs").toFile()).numDataNodes(1)
        .build();
    hdfs.waitActive();
    YarnConfiguration conf = new YarnConfiguration();
    conf.set("fs.defaultFS", hdfs.getURI().toString());
    conf.set("yarn.resourcemanager.hostname", "localhost");
    // MiniYARNCluster gives its NodeManagers this key's memory (4 GiB by default), not the NodeManager's own.
    conf.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", memoryMb);
    conf.setInt("yarn.nodemanager.resource.memory-mb", memoryMb);
    conf.setInt("yarn.nodemanager.resource.cpu-vcores", vcores);
    conf.setInt("yarn.scheduler.minimum-allocation-mb", 128);
    conf.setInt("yarn.scheduler.maximum-allocation-mb", memoryMb);
    conf.setInt("yarn.scheduler.maximum-allocation-vcores", vcores);
    // Container sizes here are bookkeeping: libtorch's native memory is not what YARN would measure on a node.
    conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
    conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
    conf.setFloat("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", 100f);
    // hadoop-client-minicluster has no capacity-scheduler.xml: one queue with the whole cluster.
    conf.set("yarn.scheduler.capacity.root.queues", "default");
    conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
    conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
    conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1f);
    conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
    conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
    conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
    MiniYARNCluster yarn = new MiniYARNCluster("stagewise-yarn-it", 1, 1, 1);
    yarn.init(conf);
    yarn.start();
    // start() can return before the ResourceManager has written its bound port into the configuration.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the ResourceManager did not bind its port");
      }
      Thread.sleep(100);
    }
    Path confDir = Files.createDirectories(dir.resolve("hadoop-conf"));
    for (String file : List.of("core-site.xml", "yarn-site.xml")) {
      try (OutputStream out = Files.newOutputStream(confDir.resolve(file))) {
        yarn.getConfig().writeXml(out);
      }
    }
    return new YarnHdfsCluster(hdfs, yarn, confDir);
  }

  /** The folder clients read as {@code HADOOP_CONF_DIR}: the ResourceManager's address, HDFS as default FS. */
  Path confDir() {
    return confDir;
  }

  /** {@code path} (absolute) on this HDFS, fully qualified. */
  URI hdfs(String path) {
    return URI.create(hdfs.getURI() + path);
  }

  FileSystem fileSystem() throws IOException {
    return hdfs.getFileSystem();
  }

  ApplicationReport report(String applicationId) throws IOException, YarnException {
    return client.getApplicationReport(ApplicationId.fromString(applicationId));
  }

  int attempts(String applicationId) throws IOException, YarnException {
    return client.getApplicationAttempts(ApplicationId.fromString(applicationId)).size();
  }

  /** The executor JVMs this machine runs for {@code applicationId}, found by their command lines. */
  static List<ProcessHandle> executorJvms(String applicationId) {
    // Only the JVMs: the container's launch shells (bash -c "java ...") carry the same command line.
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().filter(c -> c.endsWith("/java")).isPresent())
        .filter(p -> p.info().commandLine()
            .filter(c -> c.contains("YarnCoarseGrainedExecutorBackend") && c.contains(applicationId))
            .isPresent()).toList();
  }

  @Override
  public void close() {
    client.stop();
    yarn.stop();
    hdfs.shutdown();
  }
}
