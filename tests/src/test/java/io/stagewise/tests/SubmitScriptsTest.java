package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.cli.StagewiseCli;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.regenerate.FamilySpec;
import io.stagewise.regenerate.FamilySpecReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code deploy/submit-yarn.sh} and {@code deploy/submit-k8s.sh}, run for real against a {@code spark-submit}
 * stand-in on the PATH that records its arguments, from the installed layout the Dockerfile lays out (the
 * repository's bin/, conf/ and deploy/ beside a jar, its build profile and its runtime jar list; no sources,
 * no {@code mvn} on the PATH). Each must produce one valid command line: the master, the deploy mode, one
 * properties file, our jars merged with the user's, the spec shipped with {@code --files}, and the
 * application's own arguments without {@code --master}. The nightly CronJob's own command line is run the same
 * way: the spec its ConfigMap mounts is shipped to the driver and reads.
 */
class SubmitScriptsTest {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir Path dir;
  private Path home;
  private Path recorded;

  @BeforeEach
  void layOutTheImage() throws IOException {
    home = dir.resolve("opt/stagewise");
    for (String sub : List.of("bin", "conf", "deploy")) {
      ImageLayout.copyTree(REPO.resolve(sub), home.resolve(sub));
    }
    Files.writeString(home.resolve("stagewise.jar"), "");
    Files.writeString(home.resolve("build-profile.txt"), "cuda\n");
    Files.writeString(home.resolve("classpath-cluster.txt"), home + "/lib/a.jar," + home + "/lib/pytorch-native-cu124.jar");
    Path bin = Files.createDirectories(dir.resolve("standin"));
    recorded = dir.resolve("spark-submit.args");
    Path submit = bin.resolve("spark-submit");
    Files.writeString(submit, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '" + recorded + "'\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.copy(REPO.resolve("conf/sweeps/quickstart.yaml"), dir.resolve("quickstart.yaml"));
  }

  @Test
  void yarnSubmitsTheSweepInClusterModeWithItsSpecAndMergedJars() throws Exception {
    int code = run(Map.of("STAGEWISE_SUBMIT_ARGS", "--jars /extra/user.jar --conf spark.x=1"),
        home.resolve("deploy/submit-yarn.sh").toString(), "sweep", "quickstart.yaml", "--out", "hdfs:///runs/1");
    assertEquals(0, code);
    List<String> args = Files.readAllLines(recorded);
    assertEquals("yarn", value(args, "--master"));
    assertEquals("io.stagewise.cli.StagewiseCli", value(args, "--class"));
    assertEquals(1, count(args, "--properties-file"));
    assertEquals(home.resolve("conf/spark-defaults-yarn.conf").toString(), value(args, "--properties-file"));
    assertTrue(Files.readString(Path.of(value(args, "--properties-file")))
        .contains("spark.submit.deployMode                  cluster"));
    assertEquals(List.of("/extra/user.jar", home + "/lib/a.jar", home + "/lib/pytorch-native-cu124.jar"),
        List.of(value(args, "--jars").split(",")));
    assertEquals(List.of(home + "/deploy/yarn/getGpusResources.sh", dir.resolve("quickstart.yaml").toString()),
        List.of(value(args, "--files").split(",")));
    assertTrue(args.contains("spark.stagewise.buildProfile=cuda"), args.toString());
    assertTrue(args.contains("spark.x=1"), args.toString());
    assertEquals(List.of(home + "/stagewise.jar", "sweep", "quickstart.yaml", "--out", "hdfs:///runs/1"),
        appArgs(args, home + "/stagewise.jar"));
  }

  @Test
  void yarnTakesTheJarsFromTheClusterFileSystemWhenTheyAreThere() throws Exception {
    int code = run(Map.of("STAGEWISE_YARN_LIB", "hdfs:///apps/stagewise/lib/"),
        home.resolve("deploy/submit-yarn.sh").toString(), "report", "--out", "hdfs:///runs/1");
    assertEquals(0, code);
    assertEquals("hdfs:///apps/stagewise/lib/a.jar,hdfs:///apps/stagewise/lib/pytorch-native-cu124.jar",
        value(Files.readAllLines(recorded), "--jars"));
  }

  @Test
  void yarnShipsTheNativesAsOneArchiveThatIsDjlsCacheInEveryContainer() throws Exception {
    int code = run(Map.of("STAGEWISE_YARN_NATIVES", "hdfs:///apps/stagewise/natives.tgz"),
        home.resolve("deploy/submit-yarn.sh").toString(), "report", "--out", "hdfs:///runs/1");
    assertEquals(0, code);
    List<String> args = Files.readAllLines(recorded);
    assertEquals("hdfs:///apps/stagewise/natives.tgz#djl-natives", value(args, "--archives"));
    // Given after the properties file, so they win over its /tmp/stagewise-djl.
    assertTrue(args.indexOf("spark.executorEnv.DJL_CACHE_DIR=./djl-natives") > args.indexOf("--properties-file"),
        args.toString());
    assertTrue(args.contains("spark.yarn.appMasterEnv.DJL_CACHE_DIR=./djl-natives"), args.toString());
  }

  @Test
  void aNativesArchiveOffTheClusterFileSystemIsRefused() throws Exception {
    int code = run(Map.of("STAGEWISE_YARN_NATIVES", "/home/me/natives.tgz"),
        home.resolve("deploy/submit-yarn.sh").toString(), "report", "--out", "hdfs:///runs/1");
    assertEquals(2, code);
    assertTrue(Files.readString(dir.resolve("console.txt")).contains("on the cluster's file system"));
    assertFalse(Files.exists(recorded));
  }

  @Test
  void kubernetesUsesTheImagesJarsAndAbsolutePodTemplates() throws Exception {
    int code = run(Map.of("K8S_API", "https://api:6443", "K8S_UPLOAD_PATH", "s3a://bucket/uploads"),
        home.resolve("deploy/submit-k8s.sh").toString(), "sweep", "quickstart.yaml", "--out", "s3a://bucket/r");
    assertEquals(0, code);
    List<String> args = Files.readAllLines(recorded);
    assertEquals("k8s://https://api:6443", value(args, "--master"));
    assertEquals(1, count(args, "--properties-file"));
    assertEquals(home.resolve("conf/spark-defaults-k8s.conf").toString(), value(args, "--properties-file"));
    assertFalse(args.contains("--jars"), "the image holds the jars: " + args);
    assertEquals(dir.resolve("quickstart.yaml").toString(), value(args, "--files"));
    for (String template : List.of("driver", "executor")) {
      String conf = args.stream().filter(a -> a.startsWith("spark.kubernetes." + template + ".podTemplateFile="))
          .findFirst().orElseThrow();
      assertTrue(Files.isRegularFile(Path.of(conf.substring(conf.indexOf('=') + 1))), conf);
    }
    assertTrue(args.contains("spark.kubernetes.file.upload.path=s3a://bucket/uploads"), args.toString());
    assertEquals(List.of("local:///opt/stagewise/stagewise.jar", "sweep", "quickstart.yaml", "--out", "s3a://bucket/r"),
        appArgs(args, "local:///opt/stagewise/stagewise.jar"));
  }

  @Test
  void theRegenerateCronJobShipsTheFamilySpecItsConfigMapMounts() throws Exception {
    JsonNode pod = YamlSpecs.read(new Configuration(), REPO.resolve("deploy/k8s/regenerate-cronjob.yaml")
        .toString()).at("/spec/jobTemplate/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertEquals("stagewise-family", pod.at("/volumes/0/configMap/name").asText());
    assertEquals(pod.at("/volumes/0/name").asText(), container.at("/volumeMounts/0/name").asText());
    // The ConfigMap as `kubectl create configmap --from-file=family.yaml=conf/datasets/world-nightly.yaml`
    // mounts it, under this test's root.
    Path mount = dir.resolve(container.at("/volumeMounts/0/mountPath").asText().substring(1));
    Files.createDirectories(mount);
    Files.copy(REPO.resolve("conf/datasets/world-nightly.yaml"), mount.resolve("family.yaml"));
    Map<String, String> env = new LinkedHashMap<>();
    container.get("env").forEach(e -> env.put(e.get("name").asText(), e.get("value").asText()));
    List<String> command = new ArrayList<>();
    container.get("command").forEach(c -> command.add(dir.resolve(c.asText().substring(1)).toString()));
    List<String> args = new ArrayList<>();
    // Kubernetes expands $(VAR) in args from the container's environment; the mount is under the test's root.
    container.get("args").forEach(a -> args.add(a.asText().replace("$(DATA_ROOT)", env.get("DATA_ROOT"))
        .replace("/etc/", dir.resolve("etc") + "/")));
    command.addAll(args);
    assertEquals(0, run(env, command.toArray(String[]::new)));

    List<String> submitted = Files.readAllLines(recorded);
    assertEquals(mount.resolve("family.yaml").toString(), value(submitted, "--files"),
        "the mounted spec is shipped to the driver pod");
    assertTrue(submitted.contains("spark.kubernetes.file.upload.path=" + env.get("K8S_UPLOAD_PATH")), submitted
        .toString());
    List<String> app = appArgs(submitted, "local:///opt/stagewise/stagewise.jar");
    assertEquals(List.of("data", "regenerate", "family.yaml", "--set", "output=" + env.get("DATA_ROOT")),
        app.subList(1, app.size()));
    CommandLine.ParseResult parsed = StagewiseCli.commandLine().parseArgs(app.subList(1, app.size())
        .toArray(String[]::new));
    assertEquals(List.of("stagewise", "data", "regenerate"),
        parsed.asCommandLineList().stream().map(CommandLine::getCommandName).toList());
    FamilySpec family = FamilySpecReader.read(mount.resolve("family.yaml").toString(),
        parsed.subcommand().subcommand().matchedOptionValue("--set", List.<String>of()));
    assertEquals(env.get("DATA_ROOT"), family.output());
  }

  @Test
  void aJarWithoutItsBuildProfileIsRefused() throws Exception {
    Files.delete(home.resolve("build-profile.txt"));
    int code = run(Map.of(), home.resolve("deploy/submit-yarn.sh").toString(), "report", "--out", "hdfs:///r");
    assertEquals(2, code);
    assertFalse(Files.exists(recorded));
  }

  private int run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("console.txt").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("STAGEWISE_"));
    builder.environment().put("PATH", dir.resolve("standin") + ":/usr/bin:/bin");
    builder.environment().putAll(env);
    int code = builder.start().waitFor();
    System.out.println(Files.readString(dir.resolve("console.txt"), StandardCharsets.UTF_8));
    return code;
  }

  private static String value(List<String> args, String option) {
    int i = args.indexOf(option);
    assertTrue(i >= 0 && i + 1 < args.size(), option + " in " + args);
    return args.get(i + 1);
  }

  private static long count(List<String> args, String option) {
    return args.stream().filter(option::equals).count();
  }

  /** The application jar and what follows it: the application's own arguments. */
  private static List<String> appArgs(List<String> args, String jar) {
    return args.subList(args.indexOf(jar), args.size());
  }
}
