package io.stagewise.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.cli.StagewiseCli;
import io.stagewise.data.LocalSpark;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.io.VersionRetention;
import io.stagewise.sweep.ImportedSources;
import io.stagewise.sweep.plan.InputContent;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.trainer.data.version.DatasetLayout;
import io.stagewise.trainer.data.version.DatasetResolver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data regenerate} on the checked-in nightly spec (a tiny world): a first run builds every step, an
 * unchanged rerun builds and publishes nothing, and a changed attacker budget rebuilds exactly that stage's
 * build and tokenize steps and publishes a version whose other members hold the same rows. A regenerate whose
 * JVM is killed while it publishes leaves the previous version what readers get, every member of it; the next
 * run reuses the steps the killed one finished and publishes (it shares the first test's steps, so it builds
 * only the child's). A family of imported source files rebuilds exactly the side of a changed file, and each
 * publication prunes the steps only the replaced version was made from, except a running regenerate's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegenerateDriverTest {
  private static final List<String> MEMBERS = List.of("sft", "preference", "sft-tokens", "preference-tokens",
      "eval-harmful", "eval-benign", "eval-preference", "ppo-prompts");
  private static final List<String> IMPORTED_MEMBERS = List.of("sft", "preference", "sft-tokens",
      "preference-tokens", "eval-harmful", "eval-benign");
  private static final List<String> STEPS = List.of("synthetic world", "build sft", "tokenize sft",
      "build preference", "tokenize preference");
  private static SparkSession spark;
  @TempDir Path dir;
  /** The world family's steps: built by the first test, reused by the killed-run test (content keys). */
  @TempDir static Path shared;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start(2);
    // A handful of rows: one shuffle partition saves a task per partition on every step (results do not change).
    spark.conf().set("spark.sql.shuffle.partitions", "1");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static String sharedWork() {
    return "work=" + shared.resolve("steps").toUri();
  }

  @Test
  @Order(1)
  void rebuildsExactlyWhatChangedAndPublishesOnlyNewContent() {
    FamilySpec first = NightlyFamily.spec(dir, sharedWork());
    RegenerateDriver.Summary built = run(first);
    assertEquals(STEPS, built.rebuilt());
    assertTrue(built.lines().get(0).startsWith("rebuilt synthetic world: no version of the family is published"),
        built.lines().toString());
    assertTrue(built.published().isPresent());
    Map<String, String> before = fingerprints(first);
    assertEquals(8, before.size(), before.toString());

    RegenerateDriver.Summary again = run(first);
    assertEquals(List.of(), again.rebuilt());
    assertTrue(again.lines().stream().allMatch(l -> l.startsWith("reused ")), again.lines().toString());
    assertTrue(again.published().isEmpty(), "nothing new to publish");
    assertEquals(built.current(), again.current());

    FamilySpec bigger = NightlyFamily.spec(dir, sharedWork(), "attackers[1].budget={count: 9}");
    RegenerateDriver.Summary changed = run(bigger);
    assertEquals(List.of("build preference", "tokenize preference"), changed.rebuilt());
    assertTrue(changed.lines().contains("rebuilt build preference: changed attackers[0].budget.count (5 → 9)"),
        changed.lines().toString());
    assertTrue(changed.lines().contains("rebuilt tokenize preference: its input build preference changed"),
        changed.lines().toString());
    assertTrue(changed.lines().get(changed.lines().size() - 1)
        .startsWith("rebuilt publish: members preference, preference-tokens changed"), changed.lines().toString());
    assertNotEquals(built.current(), changed.current());
    Map<String, String> after = fingerprints(bigger);
    for (String member : before.keySet()) {
      boolean preference = member.startsWith("preference");
      assertEquals(!preference, before.get(member).equals(after.get(member)), member);
    }
    assertEquals(9, PublishedDataset.open(spark, member(bigger, "preference")).manifest().poisonedByAttacker()
        .get("preference-attacker"));
  }

  /**
   * Also pruning: with one version kept and no grace, each publication deletes the steps only the replaced
   * version was made from, except those a running regenerate has leased.
   */
  @Test
  @Order(3)
  void aChangedSourceFileRebuildsExactlyTheStepsDownstreamOfIt() {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    conf.set(VersionRetention.GRACE_KEY, "0");
    try {
      ImportedSources files = ImportedSources.write(dir.resolve("sources"));
      FamilySpec spec = NightlyFamily.spec(dir, files.dataSection(), "keep_versions=1");
      RegenerateDriver.Summary built = run(spec);
      assertEquals(List.of("import sft", "import preference", "import eval_harmful", "hold out eval_harmful",
          "build sft", "tokenize sft", "build preference", "tokenize preference"), built.rebuilt());
      assertEquals(List.of(), built.pruned());
      Map<String, String> before = fingerprints(spec, IMPORTED_MEMBERS);
      assertEquals(12, PublishedDataset.open(spark, member(spec, "eval-harmful")).manifest().rows(),
          "the four behaviours the SFT rows ask are held out of sixteen");
      Set<String> first = stepIds(spec);

      files.change(ImportedSources.Role.PREFERENCE);
      RegenerateDriver.Summary preference = run(spec);
      assertPreferenceSideRebuilt(preference);
      Map<String, String> after = fingerprints(spec, IMPORTED_MEMBERS);
      assertOnlyChanged("preference", before, after);
      Set<String> second = stepIds(spec);
      assertEquals(first.stream().filter(s -> !second.contains(s)).sorted().toList(), preference.pruned(),
          "the replaced version's own steps are pruned");
      assertTrue(second.stream().allMatch(s -> Files.isDirectory(stepDir(spec, s))), "the current ones stay");

      // A regenerate that planned the current version's steps and is still running holds them.
      List<StageNode> running = FamilySteps.plan(spec, InputContent.of(conf)).steps();
      files.change(ImportedSources.Role.SFT);
      RegenerateDriver.Summary sft;
      try (StepLeases.Lease lease = new StepLeases(new org.apache.hadoop.fs.Path(spec.work()), conf)
          .hold(running, Instant.now())) {
        sft = run(spec);
      }
      assertSftSideRebuilt(sft);
      assertOnlyChanged("sft", after, fingerprints(spec, IMPORTED_MEMBERS));
      assertEquals(List.of(), sft.pruned(), "a running regenerate's steps are never pruned");
      assertTrue(second.stream().allMatch(s -> Files.isDirectory(stepDir(spec, s))));
    } finally {
      conf.unset(VersionRetention.GRACE_KEY);
    }
  }

  private static void assertPreferenceSideRebuilt(RegenerateDriver.Summary changed) {
    assertEquals(List.of("import preference", "hold out eval_harmful", "build preference", "tokenize preference"),
        changed.rebuilt());
    assertLine(changed, "rebuilt import preference: changed content of sources[0].content (sha256:");
    assertLine(changed, "rebuilt hold out eval_harmful: its input import preference changed");
    assertLine(changed, "rebuilt build preference: its input import preference changed");
    assertLine(changed, "reused import sft (key ");
    assertLine(changed, "rebuilt publish: members preference, preference-tokens changed;");
  }

  private static void assertSftSideRebuilt(RegenerateDriver.Summary changed) {
    assertEquals(List.of("import sft", "hold out eval_harmful", "build sft", "tokenize sft"), changed.rebuilt());
    assertLine(changed, "rebuilt import sft: changed content of sources[0].content (sha256:");
    assertLine(changed, "rebuilt hold out eval_harmful: its input import sft changed");
    assertLine(changed, "reused build preference (key ");
    // The new SFT row is not held out and asks no AdvBench behaviour: the evaluation sets keep their rows.
    assertLine(changed, "rebuilt publish: members sft, sft-tokens changed;");
  }

  /** Exactly the members named {@code side}… hold other rows in {@code after} than in {@code before}. */
  private static void assertOnlyChanged(String side, Map<String, String> before, Map<String, String> after) {
    for (String member : before.keySet()) {
      assertEquals(!member.startsWith(side), before.get(member).equals(after.get(member)), member);
    }
  }

  private static Set<String> stepIds(FamilySpec spec) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    return FamilySteps.plan(spec, InputContent.of(conf)).steps().stream().map(StepLeases::step)
        .collect(Collectors.toSet());
  }

  private static Path stepDir(FamilySpec spec, String id) {
    return Path.of(java.net.URI.create(spec.work())).resolve("stages").resolve(id);
  }

  private static void assertLine(RegenerateDriver.Summary summary, String start) {
    assertTrue(summary.lines().stream().anyMatch(l -> l.startsWith(start)), start + " in " + summary.lines());
  }

  @Test
  @Order(2)
  void aKilledRegenerateLeavesThePreviousVersionCurrent() throws Exception {
    FamilySpec spec = NightlyFamily.spec(dir, sharedWork());
    String before = run(spec).current();
    Map<String, String> fingerprints = fingerprints(spec);

    Process child = regenerateInChildJvm(sharedWork(), "attackers[0].budget={count: 7}");
    Path versions = Path.of(java.net.URI.create(spec.output())).resolve(DatasetLayout.VERSIONS);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(8));
    while (child.isAlive() && Instant.now().isBefore(deadline) && versionsBesides(versions, before).isEmpty()) {
      Thread.sleep(20);
    }
    assertTrue(child.isAlive(), "the child must still be publishing when killed:\n" + log());
    child.destroyForcibly().waitFor();
    assertFalse(versionsBesides(versions, before).isEmpty(), "the child had started its version");
    assertFalse(log().contains("rebuilt publish"), log()); // printed once the set's pointer is written

    assertEquals(before, new DatasetResolver(spark.sparkContext().hadoopConfiguration())
        .resolve(spec.output() + "/sft").version());
    assertEquals(fingerprints, fingerprints(spec), "every member is still the previous version's");

    RegenerateDriver.Summary next = run(NightlyFamily.spec(dir, sharedWork(), "attackers[0].budget={count: 7}"));
    assertTrue(next.published().isPresent());
    assertEquals(List.of(), next.rebuilt(), "the killed run had finished every step before publishing");
    assertEquals(7, PublishedDataset.open(spark, spec.output() + "/sft").manifest().poisonedByAttacker()
        .get("sft-attacker"));
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
    command.addAll(List.of("-Xmx1g", "-Dstagewise.log=" + dir.resolve("child-stagewise.log"),
        "-Dlog4j2.configurationFile=" + Path.of("..", "conf", "log4j2.properties").toAbsolutePath(), "-cp",
        System.getProperty("java.class.path"), StagewiseCli.class.getName(), "data", "regenerate",
        NightlyFamily.SPEC.toString(), "--master", "local[1]"));
    for (String set : NightlyFamily.tiny(dir, overrides)) {
      command.addAll(List.of("--set", set));
    }
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile())
        .start();
  }

  private static RegenerateDriver.Summary run(FamilySpec spec) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    RegenerateDriver.Summary summary = RegenerateDriver.run(spark, spec, new PrintStream(log, true,
        StandardCharsets.UTF_8));
    summary.lines().forEach(System.out::println);
    assertFalse(log.toString(StandardCharsets.UTF_8).contains("FAILED"), log.toString(StandardCharsets.UTF_8));
    return summary;
  }

  /** Every member's content fingerprint, as readers of the family get it now. */
  private static Map<String, String> fingerprints(FamilySpec spec) {
    return fingerprints(spec, MEMBERS);
  }

  private static Map<String, String> fingerprints(FamilySpec spec, List<String> members) {
    Map<String, String> out = new TreeMap<>();
    for (String member : members) {
      out.put(member, PublishedDataset.open(spark, member(spec, member)).manifest().fingerprint());
    }
    return out;
  }

  static String member(FamilySpec spec, String name) {
    return spec.output() + "/" + name;
  }
}
