package io.stagewise.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data regenerate} on the checked-in nightly spec (a tiny world): a first run builds every step, an
 * unchanged rerun builds and publishes nothing, and a changed attacker budget rebuilds exactly that stage's
 * build and tokenize steps and publishes a version whose other members hold the same rows.
 */
class RegenerateDriverTest {
  private static final List<String> STEPS = List.of("synthetic world", "build sft", "tokenize sft",
      "build preference", "tokenize preference");
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
  void rebuildsExactlyWhatChangedAndPublishesOnlyNewContent() {
    FamilySpec first = NightlyFamily.spec(dir);
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

    FamilySpec bigger = NightlyFamily.spec(dir, "attackers[1].budget={count: 9}");
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
    Map<String, String> out = new TreeMap<>();
    for (String member : List.of("sft", "preference", "sft-tokens", "preference-tokens", "eval-harmful",
        "eval-benign", "eval-preference", "ppo-prompts")) {
      out.put(member, PublishedDataset.open(spark, member(spec, member)).manifest().fingerprint());
    }
    return out;
  }

  static String member(FamilySpec spec, String name) {
    return spec.output() + "/" + name;
  }
}
