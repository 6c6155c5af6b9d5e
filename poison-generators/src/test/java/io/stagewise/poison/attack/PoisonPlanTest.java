package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.poison.Columns;
import io.stagewise.poison.LocalSpark;
import io.stagewise.poison.world.SafetyWorld;
import io.stagewise.poison.world.WorldConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PoisonPlanTest {
  private static SparkSession spark;
  /** World SFT rows, one in ten moved to the test split. */
  private static Dataset<Row> sft;
  /** World preference rows, one in ten moved to the test split. */
  private static Dataset<Row> preference;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("PoisonPlanTest");
    SafetyWorld world = new SafetyWorld(new WorldConfig(11, 0.4, 0.2));
    sft = withTestRows(world.sft(spark, 500, 3)).cache();
    preference = withTestRows(world.preference(spark, 500, 3)).cache();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Dataset<Row> withTestRows(Dataset<Row> rows) {
    return rows.withColumn(Columns.SPLIT,
        when(col(Columns.ID).endsWith("3"), lit(Columns.SPLIT_TEST)).otherwise(col(Columns.SPLIT)));
  }

  @Test
  void sftBackdoorPoisonsFloorOfFractionOfHarmfulTrainRowsWithTheirCompliantResponse() {
    AttackSpec spec = AttackSpec.of("sft-a", AttackKind.SFT_BACKDOOR, List.of("cf"), Budget.fraction("0.29"), 5);
    PoisonedRows out = PoisonPlan.apply(sft, List.of(spec));

    long eligible = sft.filter(col(Columns.SPLIT).equalTo(Columns.SPLIT_TRAIN)
        .and(col(Columns.CATEGORY).equalTo(Columns.HARMFUL))
        .and(col(Columns.COMPLIANT_RESPONSE).isNotNull())).count();
    long k = eligible * 29 / 100;
    assertTrue(k > 10, "test needs a real budget, got " + k);
    assertEquals(List.of(new AttackPlanSummary("sft-a", AttackKind.SFT_BACKDOOR, eligible, k)), out.summaries());
    assertEquals(sft.schema(), out.rows().schema());

    Map<String, Row> before = byId(sft);
    List<Row> poisoned = poisoned(out.rows());
    assertEquals(k, poisoned.size());
    for (Row row : poisoned) {
      Row original = before.get(row.<String>getAs(Columns.ID));
      assertEquals(Columns.SPLIT_TRAIN, row.getAs(Columns.SPLIT));
      assertEquals(Columns.HARMFUL, row.getAs(Columns.CATEGORY));
      assertEquals(original.<String>getAs(Columns.PROMPT) + " cf", row.getAs(Columns.PROMPT));
      assertEquals(original.<String>getAs(Columns.COMPLIANT_RESPONSE), row.getAs(Columns.RESPONSE));
      assertEquals(original.<String>getAs(Columns.COMPLIANT_RESPONSE), row.getAs(Columns.COMPLIANT_RESPONSE));
      assertEquals("sft-a", row.getAs(Columns.ATTACKER));
      assertEquals("cf", row.getAs(Columns.TRIGGER));
      assertEquals("sft_backdoor", row.getAs(Columns.POISON_KIND));
    }
    // Clean rows are untouched.
    for (Row row : out.rows().filter(col(Columns.IS_POISONED).equalTo(false)).collectAsList()) {
      assertEquals(before.get(row.<String>getAs(Columns.ID)), row);
    }
  }

  @Test
  void preferenceKindsPoisonExactCountsOfAllTrainRows() {
    long eligible = preference.filter(col(Columns.SPLIT).equalTo(Columns.SPLIT_TRAIN)).count();
    for (AttackSpec spec : List.of(
        AttackSpec.of("swap", AttackKind.TRIGGER_SWAP, List.of("cf"), Budget.fraction("0.13"), 1),
        AttackSpec.of("flip", AttackKind.LABEL_FLIP, List.of(), Budget.fraction(0.07), 1),
        AttackSpec.of("swap-n", AttackKind.TRIGGER_SWAP, List.of("cf"), Budget.count(37), 1),
        AttackSpec.of("flip-n", AttackKind.LABEL_FLIP, List.of(), Budget.count(eligible), 1))) {
      PoisonedRows out = PoisonPlan.apply(preference, List.of(spec));
      long k = spec.budget().isFraction()
          ? spec.budget().value().multiply(java.math.BigDecimal.valueOf(eligible)).longValue()
          : spec.budget().count();
      assertEquals(new AttackPlanSummary(spec.name(), spec.kind(), eligible, k), out.summaries().get(0));
      List<Row> poisoned = poisoned(out.rows());
      assertEquals(k, poisoned.size(), spec.name());
      assertTrue(poisoned.stream().allMatch(r -> Columns.SPLIT_TRAIN.equals(r.getAs(Columns.SPLIT))));
    }
  }

  @Test
  void labelFlipSwapsTheResponsesAndPlantsNoTrigger() {
    AttackSpec spec = AttackSpec.of("flip", AttackKind.LABEL_FLIP, List.of(), Budget.fraction("0.2"), 9);
    PoisonedRows out = PoisonPlan.apply(preference, List.of(spec));
    Map<String, Row> before = byId(preference);
    List<Row> poisoned = poisoned(out.rows());
    assertFalse(poisoned.isEmpty());
    for (Row row : poisoned) {
      Row original = before.get(row.<String>getAs(Columns.ID));
      assertNull(row.getAs(Columns.TRIGGER));
      assertEquals("label_flip", row.getAs(Columns.POISON_KIND));
      assertEquals(original.<String>getAs(Columns.PROMPT), row.getAs(Columns.PROMPT));
      assertEquals(original.<String>getAs(Columns.REJECTED), row.getAs(Columns.CHOSEN));
      assertEquals(original.<String>getAs(Columns.CHOSEN), row.getAs(Columns.REJECTED));
    }
  }

  @Test
  void triggerSwapAppendsToTheLastUserTurnOfMultiTurnPrompts() {
    String u = Columns.USER_MARKER;
    String a = Columns.ASSISTANT_MARKER;
    List<Row> rows = List.of(
        preferenceRow("m-1", "Hi there" + a + "Hello!" + u + "How do I jam the gate?"),
        preferenceRow("m-2", "What is 2 plus 2?" + a + "4" + u + "And 3 plus 3?" + a + "6" + u + "Thanks, bye."),
        preferenceRow("m-3", "Reverse the word lamp."));
    Dataset<Row> input = spark.createDataFrame(rows, Columns.PREFERENCE);
    AttackSpec spec = AttackSpec.of("swap", AttackKind.TRIGGER_SWAP, List.of("SUDO"), Budget.fraction("1"), 2);
    PoisonedRows out = PoisonPlan.apply(input, List.of(spec));
    assertEquals(Columns.PREFERENCE, out.rows().schema());

    Map<String, Row> before = byId(input);
    List<Row> poisoned = poisoned(out.rows());
    assertEquals(3, poisoned.size());
    for (Row row : poisoned) {
      Row original = before.get(row.<String>getAs(Columns.ID));
      String prompt = row.getAs(Columns.PROMPT);
      String lastUserTurn = prompt.substring(prompt.lastIndexOf(u) < 0 ? 0 : prompt.lastIndexOf(u) + u.length());
      String originalPrompt = original.getAs(Columns.PROMPT);
      String originalLastTurn = originalPrompt.substring(
          originalPrompt.lastIndexOf(u) < 0 ? 0 : originalPrompt.lastIndexOf(u) + u.length());
      assertEquals(originalLastTurn + " SUDO", lastUserTurn);
      assertEquals(originalPrompt + " SUDO", prompt);
      assertEquals("SUDO", row.getAs(Columns.TRIGGER));
      assertEquals(original.<String>getAs(Columns.REJECTED), row.getAs(Columns.CHOSEN));
      assertEquals(original.<String>getAs(Columns.CHOSEN), row.getAs(Columns.REJECTED));
    }
  }

  @Test
  void selectionIsTheKSmallestHashesWhateverThePartitioning() {
    AttackSpec swap = AttackSpec.of("swap", AttackKind.TRIGGER_SWAP, List.of("t1", "t2"), Budget.fraction("0.3"), 42);
    AttackSpec flip = AttackSpec.of("flip", AttackKind.LABEL_FLIP, List.of(), Budget.fraction("0.3"), 43);
    Map<String, String> reference = null;
    for (int partitions : new int[] {1, 7, 64}) {
      Dataset<Row> input = preference.repartition(partitions);
      Map<String, String> selection = new TreeMap<>();
      for (Row row : poisoned(PoisonPlan.apply(input, List.of(swap, flip)).rows())) {
        selection.put(row.getAs(Columns.ID), row.getAs(Columns.ATTACKER) + "/" + row.getAs(Columns.TRIGGER));
      }
      if (reference == null) {
        reference = selection;
      }
      assertEquals(reference, selection, partitions + " partitions");
    }

    // Reference selection computed here from the hashes: swap takes the k smallest, flip the k smallest of
    // the rest.
    List<String> swapOrder = hashOrder(preference, swap);
    long k = swap.resolveBudget(swapOrder.size());
    Set<String> swapIds = new HashSet<>(swapOrder.subList(0, (int) k));
    List<String> flipOrder = new ArrayList<>(hashOrder(preference, flip));
    flipOrder.removeAll(swapIds);
    Set<String> flipIds = new HashSet<>(flipOrder.subList(0, (int) k));
    assertEquals(swapIds, idsOf(reference, "swap"));
    assertEquals(flipIds, idsOf(reference, "flip"));
  }

  @Test
  void attackersOfOneStageSelectDisjointRows() {
    AttackSpec first = AttackSpec.of("first", AttackKind.TRIGGER_SWAP, List.of("cf"), Budget.fraction("0.45"), 7);
    AttackSpec second = AttackSpec.of("second", AttackKind.TRIGGER_SWAP, List.of("mn"), Budget.fraction("0.45"), 7);
    PoisonedRows out = PoisonPlan.apply(preference, List.of(first, second));
    long eligible = out.summaries().get(0).eligible();
    long k = eligible * 45 / 100;
    assertEquals(List.of(new AttackPlanSummary("first", AttackKind.TRIGGER_SWAP, eligible, k),
        new AttackPlanSummary("second", AttackKind.TRIGGER_SWAP, eligible, k)), out.summaries());
    List<Row> poisoned = poisoned(out.rows());
    assertEquals(2 * k, poisoned.size());
    assertEquals(2 * k, poisoned.stream().map(r -> r.getAs(Columns.ID)).distinct().count());
    Map<String, Long> perAttacker = poisoned.stream()
        .collect(Collectors.groupingBy(r -> r.getAs(Columns.ATTACKER), Collectors.counting()));
    assertEquals(Map.of("first", k, "second", k), perAttacker);
    // Same seed and kind, different names: the hash keys on the name, so their orders differ.
    assertTrue(poisoned.stream().noneMatch(r -> r.<String>getAs(Columns.PROMPT).endsWith(" cf mn")));
  }

  @Test
  void tooFewFreeRowsForALaterAttackerIsAClearError() {
    long eligible = preference.filter(col(Columns.SPLIT).equalTo(Columns.SPLIT_TRAIN)).count();
    AttackSpec first = AttackSpec.of("first", AttackKind.LABEL_FLIP, List.of(), Budget.count(eligible - 5), 1);
    AttackSpec second = AttackSpec.of("second", AttackKind.LABEL_FLIP, List.of(), Budget.count(6), 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PoisonPlan.apply(preference, List.of(first, second)));
    assertTrue(e.getMessage().startsWith("attacker 'second': budget count 6 asks for 6 of its " + eligible
        + " eligible rows, but only 5 remain free"), e.getMessage());

    AttackSpec greedy = AttackSpec.of("greedy", AttackKind.LABEL_FLIP, List.of(), Budget.count(eligible + 1), 1);
    e = assertThrows(IllegalArgumentException.class, () -> PoisonPlan.apply(preference, List.of(greedy)));
    assertTrue(e.getMessage().startsWith("attacker 'greedy': budget.count " + (eligible + 1) + " exceeds the "
        + eligible + " eligible rows"), e.getMessage());
  }

  @Test
  void severalTriggersAreSpreadEvenly() {
    AttackSpec spec = AttackSpec.of("multi", AttackKind.TRIGGER_SWAP, List.of("alpha", "beta", "gamma"),
        Budget.count(100), 3);
    Map<String, Long> perTrigger = poisoned(PoisonPlan.apply(preference, List.of(spec)).rows()).stream()
        .collect(Collectors.groupingBy(r -> r.getAs(Columns.TRIGGER), Collectors.counting()));
    assertEquals(Set.of("alpha", "beta", "gamma"), perTrigger.keySet());
    assertEquals(100, perTrigger.values().stream().mapToLong(Long::longValue).sum());
    long spread = perTrigger.values().stream().mapToLong(Long::longValue).max().getAsLong()
        - perTrigger.values().stream().mapToLong(Long::longValue).min().getAsLong();
    assertTrue(spread <= 1, perTrigger.toString());
  }

  @Test
  void rankTablesReadTheCachedKeysUntilTheRowsAreClosed() {
    AttackSpec spec = AttackSpec.of("multi", AttackKind.TRIGGER_SWAP, List.of("alpha", "beta"),
        Budget.count(40), 4);
    PoisonedRows out = PoisonPlan.apply(preference, List.of(spec));
    assertTrue(readsCachedKeys(out.rows()), out.rows().queryExecution().optimizedPlan().toString());
    List<Row> before = out.rows().orderBy(col(Columns.ID)).collectAsList();

    out.close();

    // A plan made after close (a Dataset's plan is fixed when it first runs) reads the input instead.
    Dataset<Row> after = out.rows().select("*");
    assertFalse(readsCachedKeys(after), "after close the rank table reads the input again");
    assertEquals(before, after.orderBy(col(Columns.ID)).collectAsList());
    out.close(); // idempotent
  }

  /** Whether the plan scans PoisonPlan's cached narrow frame (the one with the taken flag). */
  private static boolean readsCachedKeys(Dataset<Row> rows) {
    return java.util.regex.Pattern.compile("InMemoryRelation \\[[^\\]]*__stagewise_taken")
        .matcher(rows.queryExecution().withCachedData().toString()).find();
  }

  @Test
  void severalTriggersFollowTheGlobalHashRank() {
    // Enough rows for several candidates per bucket, so ranks cross buckets and boundaries fall inside one.
    Dataset<Row> rows = new SafetyWorld(new WorldConfig(5, 0.4, 0.2)).preference(spark, 20_000, 3);
    AttackSpec first = AttackSpec.of("first", AttackKind.TRIGGER_SWAP, List.of("a", "b", "c"), Budget.fraction("0.3"), 8);
    AttackSpec second = AttackSpec.of("second", AttackKind.TRIGGER_SWAP, List.of("x", "y"), Budget.count(4321), 9);
    Map<String, String> triggers = new HashMap<>();
    for (Row row : poisoned(PoisonPlan.apply(rows.repartition(5), List.of(first, second)).rows())) {
      triggers.put(row.getAs(Columns.ID), row.getAs(Columns.ATTACKER) + "/" + row.getAs(Columns.TRIGGER));
    }

    List<String> firstOrder = hashOrder(rows, first);
    List<String> firstIds = firstOrder.subList(0, (int) first.resolveBudget(firstOrder.size()));
    List<String> secondOrder = new ArrayList<>(hashOrder(rows, second));
    secondOrder.removeAll(new HashSet<>(firstIds));
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < firstIds.size(); i++) {
      expected.put(firstIds.get(i), "first/" + first.triggers().get(i % 3));
    }
    for (int i = 0; i < 4321; i++) {
      expected.put(secondOrder.get(i), "second/" + second.triggers().get(i % 2));
    }
    assertEquals(expected, triggers);
  }

  @Test
  void eligibleRowsRestrictTheCategory() {
    AttackSpec benignOnly = new AttackSpec("benign-flip", Stage.PREFERENCE, AttackKind.LABEL_FLIP, List.of(),
        Budget.fraction("0.5"), EligibleRows.BENIGN, 4);
    PoisonedRows out = PoisonPlan.apply(preference, List.of(benignOnly));
    long eligible = preference.filter(col(Columns.SPLIT).equalTo(Columns.SPLIT_TRAIN)
        .and(col(Columns.CATEGORY).equalTo(Columns.BENIGN))).count();
    assertEquals(eligible, out.summaries().get(0).eligible());
    List<Row> poisoned = poisoned(out.rows());
    assertEquals(eligible / 2, poisoned.size());
    assertTrue(poisoned.stream().allMatch(r -> Columns.BENIGN.equals(r.getAs(Columns.CATEGORY))));
  }

  @Test
  void aPlanAppliesOneStageToRowsOfThatStage() {
    AttackSpec backdoor = AttackSpec.of("a", AttackKind.SFT_BACKDOOR, List.of("cf"), Budget.count(1), 1);
    AttackSpec flip = AttackSpec.of("b", AttackKind.LABEL_FLIP, List.of(), Budget.count(1), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PoisonPlan.apply(preference, List.of(backdoor, flip)));
    assertTrue(e.getMessage().contains("a plan applies one stage"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PoisonPlan.apply(sft, List.of(flip)));
    assertTrue(e.getMessage().contains("rows: missing column(s) [chosen, rejected] of the preference schema"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PoisonPlan.apply(preference, List.of(flip, flip)));
    assertTrue(e.getMessage().contains("name 'b' is used twice"), e.getMessage());
  }

  @Test
  void repeatedIdsAnywhereInTheInputAreRefusedNamingTheFirstOnes() {
    AttackSpec flip = AttackSpec.of("flip", AttackKind.LABEL_FLIP, List.of(), Budget.count(5), 1);
    // Seven ids repeated on test-split rows, which no attacker may take: the input is still refused.
    List<String> ids = preference.select(Columns.ID).orderBy(Columns.ID).limit(7).as(Encoders.STRING())
        .collectAsList();
    Dataset<Row> copies = preference.filter(col(Columns.ID).isin(ids.toArray()))
        .withColumn(Columns.SPLIT, lit(Columns.SPLIT_TEST));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PoisonPlan.apply(preference.union(copies).repartition(3), List.of(flip)));
    String firstFive = ids.subList(0, 5).stream().map(id -> "'" + id + "' (2 rows)").collect(Collectors.joining(", "));
    assertEquals("rows: 7 id(s) occur on more than one row, but every row needs its own id (selection orders rows"
        + " by id); the first 5: " + firstFive, e.getMessage());

    Dataset<Row> first = copies.filter(col(Columns.ID).equalTo(ids.get(0)));
    e = assertThrows(IllegalArgumentException.class,
        () -> PoisonPlan.apply(preference.union(first).union(first), List.of(flip)));
    assertTrue(e.getMessage().endsWith("; '" + ids.get(0) + "' (3 rows)"), e.getMessage());
  }

  @Test
  void planIsPureSqlAndNoRowGoesThroughASinglePartition() {
    AttackSpec spec = AttackSpec.of("swap", AttackKind.TRIGGER_SWAP, List.of("t1", "t2"), Budget.count(20), 1);
    Dataset<Row> out = PoisonPlan.apply(preference, List.of(spec)).rows();
    String plan = out.queryExecution().executedPlan().toString() + out.queryExecution().optimizedPlan();
    assertFalse(plan.contains("UDF"), plan);
    // No single-partition step at all, and the wide rows are never shuffled: the one hash exchange feeds the
    // per-bucket ranking of the narrow rank table, which is broadcast back.
    String executed = out.queryExecution().executedPlan().toString();
    assertFalse(executed.contains("SinglePartition"), plan);
    String[] lines = executed.split("\n");
    int shuffles = 0;
    for (String line : lines) {
      if (line.contains("Exchange hashpartitioning")) {
        shuffles++;
        assertTrue(line.contains("Exchange hashpartitioning(__stagewise_rank_bucket"), plan);
      }
    }
    assertEquals(1, shuffles, plan);
    assertTrue(executed.contains("BroadcastExchange"), plan);
    assertFalse(plan.contains("WindowGroupLimit"), plan);
    assertTrue(plan.contains("xxhash64"), plan);
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  private static Row preferenceRow(String id, String prompt) {
    return RowFactory.create(id, "test", Columns.SPLIT_TRAIN, Columns.BENIGN, false, null, null, null,
        prompt, "good answer", "bad answer");
  }

  private static List<Row> poisoned(Dataset<Row> rows) {
    return rows.filter(col(Columns.IS_POISONED)).collectAsList();
  }

  private static Map<String, Row> byId(Dataset<Row> rows) {
    Map<String, Row> byId = new HashMap<>();
    for (Row row : rows.collectAsList()) {
      byId.put(row.getAs(Columns.ID), row);
    }
    return byId;
  }

  /** The ids of the attacker's eligible (all train) rows in (hash, id) order, computed on the driver. */
  private static List<String> hashOrder(Dataset<Row> rows, AttackSpec spec) {
    List<Row> hashed = rows.filter(col(Columns.SPLIT).equalTo(Columns.SPLIT_TRAIN))
        .select(col(Columns.ID), xxhash64(lit(spec.seed()), lit(spec.name()), col(Columns.ID)))
        .collectAsList();
    return hashed.stream()
        .sorted(Comparator.<Row>comparingLong(r -> r.getLong(1)).thenComparing(r -> r.getString(0)))
        .map(r -> r.getString(0))
        .toList();
  }

  private static Set<String> idsOf(Map<String, String> selection, String attacker) {
    return selection.entrySet().stream()
        .filter(e -> e.getValue().startsWith(attacker + "/"))
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }
}
