package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entry command run from the files the Dockerfile lays out ({@link ImageLayout}), with no
 * {@code mvn} and no sources: {@code bin/stagewise --help}, a tiny {@code data synth} and the CronJob's nightly
 * family, shrunk, regenerated twice (the second run reuses everything) on local Spark. A
 * {@code mvn} stand-in first on the PATH records any call, so a run that tried to build fails the test. No
 * Docker engine runs here: the base image's Java and Spark are this machine's.
 */
class ImageLayoutIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir static Path dir;
  private static ImageLayout image;
  private static Path mvnCalls;

  @BeforeAll
  static void layOutTheImage() throws Exception {
    image = ImageLayout.build(REPO, Files.createDirectories(dir.resolve("image")));
    Path standIns = Files.createDirectories(dir.resolve("stand-ins"));
    mvnCalls = dir.resolve("mvn.calls");
    Path mvn = standIns.resolve("mvn");
    Files.writeString(mvn, "#!/usr/bin/env bash\necho \"$@\" >> '" + mvnCalls + "'\nexit 1\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void helpRunsFromTheLayout() throws Exception {
    Run run = stagewise("--help");
    assertEquals(0, run.code(), run.output());
    for (String command : List.of("data", "train", "sweep", "report")) {
      assertTrue(run.output().contains(command), command + " in " + run.output());
    }
    assertFalse(Files.exists(mvnCalls), "the image must never build");
  }

  @Test
  void aTinySynthRunsOnLocalSparkFromTheLayout() throws Exception {
    Path out = dir.resolve("world");
    Run run = stagewise("data", "synth", "--out", out.toString(), "--rows", "40", "--prompt-rows", "8",
        "--eval-rows", "8");
    assertEquals(0, run.code(), run.output());
    assertTrue(run.output().contains("published"), run.output());
    // The world is published as one set: its members resolve through the set's pointer.
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    ResolvedDataset sft = new DatasetResolver(conf).resolve(out.resolve("sft").toUri().toString());
    assertTrue(sft.manifest().getFileSystem(conf).exists(sft.manifest()), "sft's manifest in " + sft.describe());
    assertFalse(Files.exists(mvnCalls), "the image must never build");
  }

  @Test
  void theNightlyFamilyTheCronJobNamesRegeneratesFromTheLayout() throws Exception {
    Path spec = image.resolve("/opt/stagewise/conf/datasets/world-nightly.yaml");
    assertTrue(Files.isRegularFile(spec), "the CronJob's spec is in the image");
    Path out = dir.resolve("nightly");
    String[] command = {"data", "regenerate", spec.toUri().toString(), "--set", "output=" + out.toUri(),
        "--set", "data.world={seed: 1, sft_rows: 40, preference_rows: 20, eval_rows: 8}",
        "--set", "attackers[0].budget={count: 2}", "--set", "attackers[1].budget={count: 2}"};
    Run first = stagewise(command);
    assertEquals(0, first.code(), first.output());
    assertTrue(first.output().contains("rebuilt build sft: "), first.output());
    Run again = stagewise(command);
    assertEquals(0, again.code(), again.output());
    assertTrue(again.output().contains("reused publish (key "), again.output());
    assertFalse(Files.exists(mvnCalls), "the image must never build");
  }

  private record Run(int code, String output) {
  }

  private static Run stagewise(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(
        image.resolve("/opt/stagewise/bin/stagewise").toString()));
    command.addAll(List.of(args));
    Path console = dir.resolve("console.txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(console.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("STAGEWISE_"));
    builder.environment().putAll(image.env());
    builder.environment().put("JAVA_OPTS", "-Xmx1g");
    builder.environment().put("PATH", dir.resolve("stand-ins") + ":" + Path.of(System.getProperty("java.home"),
        "bin") + ":/usr/bin:/bin");
    int code = builder.start().waitFor();
    String output = Files.readString(console);
    System.out.println(output);
    return new Run(code, output);
  }
}
