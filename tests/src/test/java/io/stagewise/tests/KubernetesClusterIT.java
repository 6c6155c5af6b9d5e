package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import okhttp3.mockwebserver.MockWebServer;
import org.apache.spark.SecurityManager;
import org.apache.spark.SecurityManager$;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.k8s.KubernetesConf$;
import org.apache.spark.deploy.k8s.KubernetesExecutorConf;
import org.apache.spark.deploy.k8s.SparkPod;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfile$;
import org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/submit-k8s.sh} submitting a sweep through Spark's own Kubernetes submission client
 * ({@code SparkSubmit} in a child JVM, {@code spark-kubernetes} 3.5.5) to fabric8's mock API server in CRUD
 * mode, from the image's layout ({@link ImageLayout}). The test reads back what the client created: the
 * driver pod and its Spark properties; then builds an executor pod the way the driver would (Spark's
 * {@code KubernetesExecutorBuilder}, from those properties and the executor template the client stored).
 *
 * <p>This is not a run on a cluster: no pod is scheduled, no container starts, the image is not built, and the
 * base image's own paths (/opt/spark) are not checked.
 */
class KubernetesClusterIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final String IMAGE = "registry.example/stagewise:it";
  private static final String HOME = "/opt/stagewise";

  @TempDir static Path dir;
  private static KubernetesMockServer server;
  private static NamespacedKubernetesClient client;
  private static ImageLayout image;
  private static Pod driver;
  private static Properties driverConf;

  @BeforeAll
  static void submit() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new ServerSideApplyDispatcher(), false);
    server.init();
    client = server.createClient();
    image = ImageLayout.build(REPO, Files.createDirectories(dir.resolve("image")));
    Files.copy(REPO.resolve("conf/sweeps/quickstart.yaml"), dir.resolve("quickstart.yaml"));
    Path uploads = Files.createDirectories(dir.resolve("uploads"));
    ProcessBuilder builder = new ProcessBuilder(image.resolve(HOME + "/deploy/submit-k8s.sh").toString(),
        "sweep", "quickstart.yaml", "--out", "s3a://bucket/stagewise/run1")
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("submit.log").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("STAGEWISE_"));
    builder.environment().putAll(Map.of(
        "K8S_API", client.getMasterUrl().toString().replaceAll("/$", ""),
        "K8S_IMAGE", IMAGE,
        "K8S_UPLOAD_PATH", uploads.toUri().toString(),
        // The mock's pod never runs, so the client must not wait for the application to end.
        "STAGEWISE_SUBMIT_ARGS", "--conf spark.kubernetes.submission.waitAppCompletion=false",
        "PATH", sparkSubmit() + ":/usr/bin:/bin"));
    int code = builder.start().waitFor();
    String log = Files.readString(dir.resolve("submit.log"));
    System.out.println(log);
    assertEquals(0, code, log);
    List<Pod> pods = client.pods().inNamespace("default").list().getItems();
    assertEquals(1, pods.size(), "one driver pod: " + pods);
    driver = pods.get(0);
    driverConf = new Properties();
    driverConf.load(new StringReader(configMapData("spark.properties")));
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
    }
    ResourceProfile$.MODULE$.clearDefaultProfile();
  }

  @Test
  void theDriverPodRunsTheImagesJarWithoutAGpu() {
    Container container = driver.getSpec().getContainers().get(0);
    assertEquals(IMAGE, container.getImage());
    assertEquals("spark", driver.getSpec().getServiceAccountName());
    assertEquals("driver", driver.getMetadata().getLabels().get("app.kubernetes.io/component"));
    assertEquals("/tmp/djl", env(container).get("DJL_CACHE_DIR"));
    assertNull(container.getResources().getLimits().get("nvidia.com/gpu"), "the driver holds no GPU");
    List<String> args = container.getArgs();
    assertEquals(List.of("local://" + HOME + "/stagewise.jar", "sweep", "quickstart.yaml", "--out",
        "s3a://bucket/stagewise/run1"), args.subList(args.indexOf("local://" + HOME + "/stagewise.jar"),
        args.size()), "the application jar from the image, the spec by its shipped name: " + args);
  }

  @Test
  void theDriversPropertiesKeepTheClusterSettings() {
    assertEquals("local://" + HOME + "/stagewise.jar", driverConf.getProperty("spark.jars"));
    assertEquals(HOME + "/lib/*", driverConf.getProperty("spark.driver.extraClassPath"));
    assertEquals(HOME + "/lib/*", driverConf.getProperty("spark.executor.extraClassPath"));
    assertEquals("cpu", driverConf.getProperty("spark.stagewise.buildProfile"),
        "the profile recorded next to the jar this build packaged");
    assertTrue(driverConf.getProperty("spark.executor.extraJavaOptions").contains("-Dai.djl.offline=true"));
    assertTrue(driverConf.getProperty("spark.driver.extraJavaOptions").contains("-Dai.djl.offline=true"));
    String files = driverConf.getProperty("spark.files");
    assertTrue(files.contains("/uploads/") && files.endsWith("/quickstart.yaml"), files);
    assertTrue(Files.isRegularFile(Path.of(java.net.URI.create(files))), "the spec was uploaded: " + files);
  }

  @Test
  void everyImagePathTheDriverNamesIsInTheImageLayout() {
    List<String> named = new ArrayList<>();
    for (String value : driverConf.stringPropertyNames().stream().map(driverConf::getProperty).toList()) {
      for (String item : value.split("[,\\s]+")) {
        if (item.startsWith("local://") || item.startsWith(HOME)) {
          named.add(item);
        }
      }
    }
    driver.getSpec().getContainers().get(0).getArgs().stream().filter(a -> a.startsWith("local://"))
        .forEach(named::add);
    assertTrue(named.size() >= 4, "jar, class paths, discovery script: " + named);
    for (String path : named) {
      assertTrue(inImage(path.replaceFirst("^local://", "")), path + " is not in the image the Dockerfile lays out");
    }
  }

  @Test
  void anExecutorPodHoldsOneGpuWithTheTemplatesShmAndToleration() throws Exception {
    SparkPod executor = executorPod();
    Container container = executor.container();
    assertEquals(IMAGE, container.getImage());
    assertEquals(new Quantity("1"), container.getResources().getLimits().get("nvidia.com/gpu"));
    assertTrue(executor.pod().getSpec().getTolerations().stream()
        .anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()) && "NoSchedule".equals(t.getEffect())));
    Volume shm = executor.pod().getSpec().getVolumes().stream().filter(v -> v.getName().equals("dshm"))
        .findFirst().orElseThrow();
    assertEquals("Memory", shm.getEmptyDir().getMedium());
    assertEquals(new Quantity("4Gi"), shm.getEmptyDir().getSizeLimit());
    assertTrue(container.getVolumeMounts().stream()
        .anyMatch(m -> m.getName().equals("dshm") && m.getMountPath().equals("/dev/shm")));
    Map<String, String> env = env(container);
    assertEquals("/tmp/djl", env.get("DJL_CACHE_DIR"));
    assertEquals("PCI_BUS_ID", env.get("CUDA_DEVICE_ORDER"));
    assertEquals(HOME + "/lib/*", env.get("SPARK_CLASSPATH"));
    assertTrue(inImage(env.get("SPARK_CLASSPATH")));
    assertTrue(env.entrySet().stream().anyMatch(e -> e.getKey().startsWith("SPARK_JAVA_OPT_")
        && e.getValue().equals("-Dai.djl.offline=true")), "offline DJL on the executor: " + env);
  }

  /** The executor pod the driver would ask for, from its properties and the executor template it mounts. */
  private static SparkPod executorPod() throws IOException {
    Path template = dir.resolve("executor-template.yml");
    Files.writeString(template, configMapData("podspec-configmap-key"));
    SparkConf conf = new SparkConf(false);
    driverConf.stringPropertyNames().forEach(k -> conf.set(k, driverConf.getProperty(k)));
    conf.set("spark.kubernetes.executor.podTemplateFile", template.toString());
    KubernetesExecutorConf executorConf = KubernetesConf$.MODULE$.createExecutorConf(conf, "1",
        conf.get("spark.app.id"), scala.Option.apply(driver), ResourceProfile.DEFAULT_RESOURCE_PROFILE_ID());
    SecurityManager security = new SecurityManager(conf, SecurityManager$.MODULE$.$lessinit$greater$default$2(),
        SecurityManager$.MODULE$.$lessinit$greater$default$3());
    return new KubernetesExecutorBuilder().buildFromFeatures(executorConf, security, client,
        ResourceProfile$.MODULE$.reInitDefaultProfile(conf)).pod();
  }

  /** Whether an image path exists in the layout; a class-path wildcard must match at least one jar. */
  private static boolean inImage(String path) {
    if (path.endsWith("/*")) {
      try (var jars = Files.list(image.resolve(path.substring(0, path.length() - 2)))) {
        return jars.anyMatch(j -> j.toString().endsWith(".jar"));
      } catch (IOException e) {
        return false;
      }
    }
    return Files.exists(image.resolve(path));
  }

  private static String configMapData(String key) {
    List<ConfigMap> maps = client.configMaps().inNamespace("default").list().getItems();
    return maps.stream().filter(m -> m.getData() != null && m.getData().containsKey(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no config map holds " + key + ": " + maps)).getData().get(key);
  }

  private static Map<String, String> env(Container container) {
    return container.getEnv().stream().filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b));
  }

  /** A folder holding {@code spark-submit}: SparkSubmit on this test's class path, in a child JVM. */
  private static Path sparkSubmit() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("spark-bin"));
    Path classPath = dir.resolve("classpath.args");
    Files.writeString(classPath, "-cp \"" + System.getProperty("java.class.path") + "\"\n");
    Path script = bin.resolve("spark-submit");
    Files.writeString(script, "#!/usr/bin/env bash\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
        + "' @'" + REPO.resolve("conf/jvm.args") + "' -Xmx512m @'" + classPath
        + "' org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }
}
