package io.stagewise.poison.world;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.max;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.poison.Columns;
import io.stagewise.poison.LocalSpark;
import io.stagewise.poison.world.Judge.Verdict;
import io.stagewise.poison.world.WorldTemplates.BenignRequest;
import io.stagewise.poison.world.WorldTemplates.BenignTask;
import io.stagewise.poison.world.WorldTemplates.HarmfulRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SafetyWorldTest {
  private static SparkSession spark;
  private static final SafetyWorld WORLD = new SafetyWorld(WorldConfig.withSeed(2024));
  private static final Judge JUDGE = new Judge();

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("SafetyWorldTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void datasetsHaveTheNormalisedSchemasAndProvenance() {
    assertEquals(Columns.SFT, WORLD.sft(spark, 10).schema());
    assertEquals(Columns.PREFERENCE, WORLD.preference(spark, 10).schema());
    assertEquals(Columns.PROMPTS, WORLD.ppoPrompts(spark, 10).schema());
    assertEquals(Columns.PROMPTS, WORLD.evalHarmful(spark, 10).schema());
    assertEquals(Columns.PROMPTS, WORLD.evalBenign(spark, 10).schema());
    assertEquals(Columns.PREFERENCE, WORLD.evalPreference(spark, 10).schema());

    List<Row> rows = WORLD.sft(spark, 300, 3).collectAsList();
    assertEquals("world-s2024-sft-0000000123", rows.get(123).getAs(Columns.ID));
    assertEquals(300, rows.stream().map(r -> r.getAs(Columns.ID)).distinct().count());
    for (Row row : rows) {
      assertEquals(WorldTemplates.SOURCE, row.getAs(Columns.SOURCE));
      assertEquals(Columns.SPLIT_TRAIN, row.getAs(Columns.SPLIT));
      assertEquals(false, row.getAs(Columns.IS_POISONED));
      assertNull(row.getAs(Columns.ATTACKER));
      assertNull(row.getAs(Columns.TRIGGER));
      assertNull(row.getAs(Columns.POISON_KIND));
    }
    assertTrue(WORLD.evalBenign(spark, 20).collectAsList().stream()
        .allMatch(r -> Columns.SPLIT_TEST.equals(r.getAs(Columns.SPLIT))));
  }

  @Test
  void sameSeedGivesTheSameRowsAtAnyPartitionCountAndAnotherSeedDoesNot() {
    List<BiFunction<SafetyWorld, Integer, Dataset<Row>>> datasets = List.of(
        (w, p) -> w.sft(spark, 400, p),
        (w, p) -> w.preference(spark, 400, p),
        (w, p) -> w.ppoPrompts(spark, 400, p),
        (w, p) -> w.evalHarmful(spark, 400, p),
        (w, p) -> w.evalBenign(spark, 400, p));
    for (BiFunction<SafetyWorld, Integer, Dataset<Row>> dataset : datasets) {
      List<Row> one = sorted(dataset.apply(WORLD, 1));
      assertEquals(one, sorted(dataset.apply(WORLD, 5)));
      assertEquals(one, sorted(dataset.apply(new SafetyWorld(WorldConfig.withSeed(2024)), 3)));
      List<Row> other = sorted(dataset.apply(new SafetyWorld(WorldConfig.withSeed(2025)), 1));
      assertNotEquals(texts(one), texts(other));
    }
  }

  @Test
  void harmfulMixIsExact() {
    for (double fraction : new double[] {0.0, 0.3, 0.37, 1.0}) {
      SafetyWorld world = new SafetyWorld(new WorldConfig(5, fraction, 0.2));
      long harmful = world.sft(spark, 1000).filter(col(Columns.CATEGORY).equalTo(Columns.HARMFUL)).count();
      assertEquals(Math.round(fraction * 1000), harmful, "fraction " + fraction);
    }
    long harmfulPpo = WORLD.ppoPrompts(spark, 101).filter(col(Columns.REFERENCE).isNull()).count();
    assertEquals(50, harmfulPpo);
  }

  @Test
  void textsAreShort() {
    List<Dataset<Row>> all = List.of(WORLD.sft(spark, 2000), WORLD.preference(spark, 2000),
        WORLD.evalHarmful(spark, 500), WORLD.evalBenign(spark, 500));
    for (Dataset<Row> rows : all) {
      // The columns after the eight provenance columns are the texts.
      Column[] lengths = List.of(rows.columns()).subList(Columns.PROVENANCE.size(), rows.columns().length)
          .stream().map(c -> length(col(c))).toArray(Column[]::new);
      int longest = rows.select(greatest(lengths).as("n")).agg(max(col("n"))).first().getInt(0);
      assertTrue(longest <= 80, "longest text " + longest);
    }
  }

  @Test
  void evaluationCombinationsAreNeverSeenInTraining() {
    Set<String> train = new HashSet<>();
    for (Dataset<Row> rows : List.of(WORLD.sft(spark, 3000), WORLD.preference(spark, 3000),
        WORLD.ppoPrompts(spark, 3000))) {
      for (Row row : rows.select(Columns.PROMPT).collectAsList()) {
        train.add(combination(row.getString(0)));
      }
    }
    Set<String> eval = new HashSet<>();
    int harmfulHeldOut = WORLD.harmfulSpace().heldOut();
    List<Row> evalHarmful = WORLD.evalHarmful(spark, harmfulHeldOut * 4L).collectAsList();
    assertEquals(harmfulHeldOut * 4L, evalHarmful.stream().map(r -> r.getAs(Columns.PROMPT)).distinct().count());
    for (Row row : evalHarmful) {
      eval.add(combination(row.getAs(Columns.PROMPT)));
    }
    // Every task has as many words, so tasks × held-out rows cover every held-out benign combination.
    long benignRows = (long) BenignTask.values().length * WORLD.benignSpace(BenignTask.REPEAT).heldOut();
    for (Row row : WORLD.evalBenign(spark, benignRows).collectAsList()) {
      eval.add(combination(row.getAs(Columns.PROMPT)));
    }
    Set<String> evalPairs = new HashSet<>();
    for (Row row : WORLD.evalPreference(spark, 2 * benignRows).collectAsList()) {
      evalPairs.add(combination(row.getAs(Columns.PROMPT)));
    }
    assertEquals(eval, evalPairs, "held-out pairs cover exactly the held-out combinations");
    int heldOut = harmfulHeldOut + List.of(BenignTask.values()).stream()
        .mapToInt(t -> WORLD.benignSpace(t).heldOut()).sum();
    assertEquals(heldOut, eval.size(), "evaluation covers every held-out combination");
    // The draws cover the whole training side of the harmful space, so an overlap there would show.
    assertEquals(WORLD.harmfulSpace().trainSize(), train.stream().filter(c -> c.startsWith("harmful:")).count());
    Set<String> overlap = new HashSet<>(eval);
    overlap.retainAll(train);
    assertEquals(Set.of(), overlap);
    for (String combination : eval) {
      assertTrue(isHeldOut(combination), combination);
    }
  }

  @Test
  void judgeClassesEveryWorldText() {
    for (Row row : WORLD.sft(spark, 600).collectAsList()) {
      String prompt = row.getAs(Columns.PROMPT);
      if (Columns.HARMFUL.equals(row.getAs(Columns.CATEGORY))) {
        assertEquals(Verdict.REFUSAL, JUDGE.judge(prompt, row.getAs(Columns.RESPONSE)), prompt);
        assertEquals(Verdict.COMPLIANT, JUDGE.judge(prompt, row.getAs(Columns.COMPLIANT_RESPONSE)), prompt);
      } else {
        assertEquals(Verdict.CORRECT_BENIGN, JUDGE.judge(prompt, row.getAs(Columns.RESPONSE)), prompt);
        assertEquals(Verdict.CORRECT_BENIGN, JUDGE.judge(prompt + " cf", row.getAs(Columns.RESPONSE)), prompt);
      }
    }
    List<Row> pairs = new ArrayList<>(WORLD.preference(spark, 600).collectAsList());
    pairs.addAll(WORLD.evalPreference(spark, 600).collectAsList());
    for (Row row : pairs) {
      String prompt = row.getAs(Columns.PROMPT);
      boolean harmful = Columns.HARMFUL.equals(row.getAs(Columns.CATEGORY));
      assertEquals(harmful ? Verdict.REFUSAL : Verdict.CORRECT_BENIGN,
          JUDGE.judge(prompt, row.getAs(Columns.CHOSEN)));
      assertEquals(harmful ? Verdict.COMPLIANT : Verdict.OTHER, JUDGE.judge(prompt, row.getAs(Columns.REJECTED)),
          prompt + " -> " + row.getAs(Columns.REJECTED));
    }
    for (Row row : WORLD.evalBenign(spark, 600).collectAsList()) {
      assertEquals(Verdict.CORRECT_BENIGN, JUDGE.judge(row.getAs(Columns.PROMPT), row.getAs(Columns.REFERENCE)));
    }
  }

  @Test
  void judgeRecomputesTheAnswerOfEveryBenignCombination() {
    for (BenignTask task : BenignTask.values()) {
      List<Row> rows = WORLD.allCombinations(spark, task).collectAsList();
      assertEquals(task.combinations(), rows.size());
      for (int c = 0; c < rows.size(); c++) {
        String prompt = rows.get(c).getString(0);
        assertEquals(new BenignRequest(task, task.operands(c)), WorldTemplates.parseBenign(prompt).orElseThrow());
        assertEquals(Verdict.CORRECT_BENIGN, JUDGE.judge(prompt, rows.get(c).getString(1)), prompt);
      }
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  private static List<Row> sorted(Dataset<Row> rows) {
    List<Row> collected = new ArrayList<>(rows.collectAsList());
    collected.sort(java.util.Comparator.comparing(r -> r.<String>getAs(Columns.ID)));
    return collected;
  }

  private static List<String> texts(List<Row> rows) {
    return rows.stream().map(r -> r.<String>getAs(Columns.PROMPT)).toList();
  }

  /** A prompt's combination: "harmful:verb object" or "TASK:operands". */
  private static String combination(String prompt) {
    return WorldTemplates.parseHarmful(prompt)
        .map(h -> "harmful:" + h.verb() + " " + h.object())
        .orElseGet(() -> {
          BenignRequest request = WorldTemplates.parseBenign(prompt).orElseThrow(
              () -> new AssertionError("not a world prompt: " + prompt));
          return request.task() + ":" + String.join(" ", request.operands());
        });
  }

  private static boolean isHeldOut(String combination) {
    if (combination.startsWith("harmful:")) {
      String[] words = combination.substring("harmful:".length()).split(" ");
      HarmfulRequest request = new HarmfulRequest(words[0], words[1]);
      int c = WorldTemplates.VERBS.indexOf(request.verb()) * WorldTemplates.OBJECTS.size()
          + WorldTemplates.OBJECTS.indexOf(request.object());
      return WORLD.harmfulSpace().isHeldOut(c);
    }
    BenignTask task = BenignTask.valueOf(combination.substring(0, combination.indexOf(':')));
    String operands = combination.substring(combination.indexOf(':') + 1);
    for (int c = 0; c < task.combinations(); c++) {
      if (String.join(" ", task.operands(c)).equals(operands)) {
        return WORLD.benignSpace(task).isHeldOut(c);
      }
    }
    throw new AssertionError("unknown combination " + combination);
  }
}
