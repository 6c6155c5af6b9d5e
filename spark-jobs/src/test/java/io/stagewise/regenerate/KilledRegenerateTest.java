package io.stagewise.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.cli.StagewiseCli;
import io.stagewise.data.LocalSpark;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.trainer.data.version.DatasetLayout;
import io.stagewise.trainer.data.version.DatasetResolver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code data regenerate} whose JVM is killed while it publishes leaves the previous version what readers
 * get, every member of it, and the next run publishes normally.
 */
class KilledRegenerateTest {
  private static final List<String> MEMBERS = List.of("sft", "preference", "sft-tokens", "preference-tokens",
      "eval-harmful", "eval-benign", "eval-preference", "ppo-prompts");
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start(2);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aKilledRegenerateLeavesThePreviousVersionCurrent() throws Exception {
    FamilySpec spec = NightlyFamily.spec(dir);
    String before = RegenerateDriver.run(spark, spec, new PrintStream(PrintStream.nullOutputStream())).current();
    List<String> fingerprints = fingerprints(spec);

    Process child = regenerateInChildJvm("attackers[0].budget={count: 7}");
    Path versions = Path.of(java.net.URI.create(spec.output())).resolve(DatasetLayout.VERSIONS);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(8));
    while (child.isAlive() && Instant.now().isBefore(deadline) && versionsBesides(versions, before).isEmpty()) {
      Thread.sleep(20);
    }
    assertTrue(child.isAlive(), "the child must still be publishing when killed:\n" + log());
    child.destroyForcibly().waitFor();
    assertFalse(versionsBesides(versions, before).isEmpty(), "the child had started its version");
    assertFalse(log().contains("current version of"), log());

    assertEquals(before, new DatasetResolver(spark.sparkContext().hadoopConfiguration())
        .resolve(spec.output() + "/sft").version());
    assertEquals(fingerprints, fingerprints(spec), "every member is still the previous version's");

    RegenerateDriver.Summary next = RegenerateDriver.run(spark, NightlyFamily.spec(dir,
        "attackers[0].budget={count: 7}"), new PrintStream(PrintStream.nullOutputStream()));
    assertTrue(next.published().isPresent());
    assertFalse(next.rebuilt().contains("synthetic world"), next.lines().toString());
    assertEquals(7, PublishedDataset.open(spark, spec.output() + "/sft").manifest().poisonedByAttacker()
        .get("sft-attacker"));
  }

  private List<String> fingerprints(FamilySpec spec) {
    return MEMBERS.stream().map(m -> PublishedDataset.open(spark, spec.output() + "/" + m).manifest()
        .fingerprint()).toList();
  }

  private static List<Path> versionsBesides(Path versions, String version) throws IOException {
    if (!Files.isDirectory(versions)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(versions)) {
      return dirs.filter(d -> !d.getFileName().toString().equals(version)).toList();
    }
  }

  private String log() throws IOException {
    return Files.readString(dir.resolve("child.log"));
  }

  private Process regenerateInChildJvm(String... overrides) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
    command.addAll(Files.readAllLines(Path.of("..", "conf", "jvm.args")).stream().map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
    command.addAll(List.of("-Xmx1g", "-Dstagewise.log=" + dir.resolve("child-stagewise.log"), "-cp",
        System.getProperty("java.class.path"), StagewiseCli.class.getName(), "data", "regenerate",
        NightlyFamily.SPEC.toString(), "--master", "local[1]"));
    for (String set : NightlyFamily.tiny(dir, overrides)) {
      command.addAll(List.of("--set", set));
    }
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile())
        .start();
  }
}
