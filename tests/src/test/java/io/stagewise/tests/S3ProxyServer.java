package io.stagewise.tests;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;

/**
 * A real S3 API server on loopback: S3Proxy (its transient, in-memory backend) in a child JVM from its own
 * fat jar, so none of its libraries meet Spark's. Requests are signed (AWS v2 or v4) with fake credentials.
 * Each server gets a fresh bucket name, so Hadoop's cached S3A file systems (keyed by bucket) never point at
 * a stopped server.
 */
final class S3ProxyServer implements AutoCloseable {
  private static final String IDENTITY = "local-identity";
  private static final String CREDENTIAL = "local-credential";

  private final Process process;
  private final int port;
  private final String bucket;

  private S3ProxyServer(Process process, int port, String bucket) {
    this.process = process;
    this.port = port;
    this.bucket = bucket;
  }

  /** Starts a server on a free loopback port with one empty bucket; skips when the jar was not copied. */
  static S3ProxyServer start(Path workDir) throws IOException, InterruptedException {
    Path jar = Files.list(Path.of("target", "s3proxy")).filter(p -> p.toString().endsWith(".jar")).findFirst()
        .orElse(null);
    Assumptions.assumeTrue(jar != null, "target/s3proxy holds no S3Proxy jar (generate-test-resources)");
    int port = freePort();
    Path properties = workDir.resolve("s3proxy.properties");
    Files.writeString(properties, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + IDENTITY,
        "s3proxy.credential=" + CREDENTIAL,
        "jclouds.provider=transient",
        "jclouds.identity=" + IDENTITY,
        "jclouds.credential=" + CREDENTIAL, ""));
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", jar.toAbsolutePath().toString(), "--properties", properties.toString())
        .redirectErrorStream(true).redirectOutput(workDir.resolve("s3proxy.log").toFile()).start();
    awaitPort(process, port, workDir.resolve("s3proxy.log"));
    String bucket = "stagewise-" + UUID.randomUUID().toString().substring(0, 8);
    S3ProxyServer server = new S3ProxyServer(process, port, bucket);
    server.client().createBucket(bucket);
    return server;
  }

  /** {@code s3a://bucket/path}. */
  String uri(String path) {
    return "s3a://" + bucket + "/" + path;
  }

  /** The S3A settings that reach this server: path-style, plain HTTP on loopback, fake credentials. */
  Map<String, String> s3aSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("fs.s3a.endpoint", "http://127.0.0.1:" + port);
    s.put("fs.s3a.endpoint.region", "us-east-1");
    s.put("fs.s3a.path.style.access", "true");
    s.put("fs.s3a.connection.ssl.enabled", "false");
    s.put("fs.s3a.access.key", IDENTITY);
    s.put("fs.s3a.secret.key", CREDENTIAL);
    s.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    s.put("fs.s3a.bucket.probe", "0");
    s.put("fs.s3a.attempts.maximum", "2");
    s.put("fs.s3a.retry.limit", "2");
    return s;
  }

  /** A small local Spark whose Hadoop configuration reaches this server. */
  SparkSession localSpark(String appName) {
    SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName(appName)
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2");
    s3aSettings().forEach((k, v) -> builder.config("spark.hadoop." + k, v));
    return builder.getOrCreate();
  }

  /** Stops a test class's Spark, then its server; either may be null when the start failed half-way. */
  static void stop(SparkSession spark, S3ProxyServer server) throws InterruptedException {
    if (spark != null) {
      spark.stop();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The same settings as {@code -Dspark.hadoop.<key>=<value>} flags for a child JVM's Spark. */
  List<String> sparkSystemProperties() {
    return s3aSettings().entrySet().stream().map(e -> "-Dspark.hadoop." + e.getKey() + "=" + e.getValue())
        .toList();
  }

  private AmazonS3 client() {
    return AmazonS3ClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration("http://127.0.0.1:" + port,
            "us-east-1"))
        .withPathStyleAccessEnabled(true)
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(IDENTITY, CREDENTIAL)))
        .build();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(Process process, int port, Path log) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("S3Proxy exited: " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("S3Proxy did not listen on " + port + " within 90 s: " + Files.readString(log));
  }
}
