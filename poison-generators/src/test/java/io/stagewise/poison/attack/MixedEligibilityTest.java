package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.poison.Columns;
import io.stagewise.poison.LocalSpark;
import io.stagewise.poison.world.SafetyWorld;
import io.stagewise.poison.world.WorldConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exactness of selection when the attackers of one stage have different eligible rows: each must get exactly
 * its budget, and exactly the rows of the contract (DESIGN.md § Attacks): in spec order, the k smallest
 * (xxhash64(seed, attacker, id), id) among its eligible rows that are free (not poisoned in the input, not taken
 * by an earlier attacker). The expected rows are computed here on the driver, from the hashes alone, and the
 * plan must produce them at 1, 7 and 64 partitions.
 *
 * <p>Enough rows that boundary buckets hold several rows of different eligibility: ranking a boundary bucket
 * over rows the attacker may not take selects too few.
 */
class MixedEligibilityTest {
  private static final int[] PARTITIONS = {1, 7, 64};
  private static SparkSession spark;
  /** Preference rows: a tenth in the test split, a tenth already poisoned by an "earlier" attacker. */
  private static Dataset<Row> preference;
  /** SFT rows, prepared the same way. */
  private static Dataset<Row> sft;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("MixedEligibilityTest");
    SafetyWorld world = new SafetyWorld(new WorldConfig(17, 0.4, 0.2));
    preference = prepared(world.preference(spark, 8_000, 3)).cache();
    sft = prepared(world.sft(spark, 4_000, 3)).cache();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Dataset<Row> prepared(Dataset<Row> rows) {
    Column earlier = col(Columns.ID).endsWith("7");
    return rows
        .withColumn(Columns.SPLIT, when(col(Columns.ID).endsWith("3"), lit(Columns.SPLIT_TEST))
            .otherwise(col(Columns.SPLIT)))
        .withColumn(Columns.IS_POISONED, col(Columns.IS_POISONED).or(earlier))
        .withColumn(Columns.ATTACKER, when(earlier, lit("earlier")).otherwise(col(Columns.ATTACKER)));
  }

  @Test
  void countsOnAllHarmfulAndBenignEachGetTheirBudget() {
    assertExact(preference, List.of(
        attacker("flip-all", AttackKind.LABEL_FLIP, EligibleRows.ALL, Budget.count(700)),
        attacker("swap-harmful", AttackKind.TRIGGER_SWAP, EligibleRows.HARMFUL, Budget.count(500), "a", "b", "c"),
        attacker("flip-benign", AttackKind.LABEL_FLIP, EligibleRows.BENIGN, Budget.count(600))));
  }

  @Test
  void fractionsOverlappingSetsAndBudgetsThatExhaustASubset() {
    long harmful = eligible(preference, Columns.HARMFUL, false);
    long benign = eligible(preference, Columns.BENIGN, false);
    long freeHarmful = eligible(preference, Columns.HARMFUL, true);
    long freeBenign = eligible(preference, Columns.BENIGN, true);
    // Every free harmful row; then a fraction of the benign rows, and one of all rows, which by now can only
    // be benign; then every benign row left; and one attacker with nothing to take.
    long restBenign = freeBenign - benign * 3 / 10 - (harmful + benign) / 5;
    assertTrue(restBenign > 100, "the test needs benign rows left, got " + restBenign);
    assertExact(preference, List.of(
        attacker("all-harmful", AttackKind.TRIGGER_SWAP, EligibleRows.HARMFUL, Budget.count(freeHarmful), "s", "t"),
        attacker("flip-benign", AttackKind.LABEL_FLIP, EligibleRows.BENIGN, Budget.fraction("0.3")),
        attacker("flip-all", AttackKind.LABEL_FLIP, EligibleRows.ALL, Budget.fraction("0.2")),
        attacker("rest-benign", AttackKind.TRIGGER_SWAP, EligibleRows.BENIGN, Budget.count(restBenign),
            "u", "v", "w"),
        attacker("none", AttackKind.LABEL_FLIP, EligibleRows.ALL, Budget.count(0))));
  }

  @Test
  void sftBackdoorsOnAllRowsOnlyEverTakeRowsWithACompliantResponse() {
    assertExact(sft, List.of(
        attacker("backdoor-all", AttackKind.SFT_BACKDOOR, EligibleRows.ALL, Budget.count(200), "t1"),
        attacker("backdoor-harmful", AttackKind.SFT_BACKDOOR, EligibleRows.HARMFUL, Budget.fraction("0.3"),
            "t1", "t2", "t3")));
  }

  @Test
  void theBoundaryBucketIsRankedOverTheAttackersOwnCandidatesOnly() {
    // Two ids whose hashes share a bucket: the first benign, the second harmful. The harmful attacker's one
    // row is the second; ranking its boundary bucket over every free row would find the benign one first,
    // put the key below the harmful row and select nothing.
    AttackSpec harmful = attacker("h", AttackKind.LABEL_FLIP, EligibleRows.HARMFUL, Budget.count(1));
    AttackSpec benign = attacker("b", AttackKind.LABEL_FLIP, EligibleRows.BENIGN, Budget.count(0));
    Column hash = PoisonSelector.hash(harmful.seed(), harmful.name());
    Dataset<Row> ids = spark.range(20_000).select(functions.concat(lit("r-"), col("id").cast("string"))
        .as(Columns.ID)).withColumn("h", hash).withColumn("b", PoisonSelector.bucket(col("h")));
    Row shared = ids.groupBy("b").count().filter(col("count").geq(2)).orderBy("b").first();
    List<Row> pair = ids.filter(col("b").equalTo(shared.get(0))).orderBy("h").limit(2).collectAsList();
    Dataset<Row> rows = spark.createDataFrame(List.of(row(pair.get(0).getString(0), Columns.BENIGN),
        row(pair.get(1).getString(0), Columns.HARMFUL)), Columns.PREFERENCE);
    PoisonedRows out = PoisonPlan.apply(rows, List.of(harmful, benign));
    assertEquals(List.of(pair.get(1).getString(0)), out.rows().filter(col(Columns.IS_POISONED))
        .select(Columns.ID).as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  private static Row row(String id, String category) {
    return org.apache.spark.sql.RowFactory.create(id, "test", Columns.SPLIT_TRAIN, category, false, null, null,
        null, "prompt " + id, "good", "bad");
  }

  // ---- the contract, computed on the driver ------------------------------------------------------------

  private static AttackSpec attacker(String name, AttackKind kind, EligibleRows eligible, Budget budget,
      String... triggers) {
    return new AttackSpec(name, kind.stage(), kind, List.of(triggers), budget, eligible, name.length());
  }

  /** The plan's poisoned rows, id → attacker/trigger, equal the contract's at every partition count. */
  private static void assertExact(Dataset<Row> rows, List<AttackSpec> attackers) {
    Map<String, String> expected = expected(rows, attackers);
    Map<String, Long> budgets = new TreeMap<>();
    expected.values().forEach(v -> budgets.merge(v.substring(0, v.indexOf('/')), 1L, Long::sum));
    for (int partitions : PARTITIONS) {
      PoisonedRows out = PoisonPlan.apply(rows.repartition(partitions), attackers);
      Map<String, String> actual = new TreeMap<>();
      for (Row row : out.rows().filter(col(Columns.IS_POISONED)).collectAsList()) {
        actual.put(row.getAs(Columns.ID), row.getAs(Columns.ATTACKER) + "/" + row.getAs(Columns.TRIGGER));
      }
      Map<String, Long> perAttacker = new TreeMap<>();
      actual.values().forEach(v -> perAttacker.merge(v.substring(0, v.indexOf('/')), 1L, Long::sum));
      assertEquals(budgets, perAttacker, partitions + " partitions: rows per attacker");
      assertEquals(expected, actual, partitions + " partitions: rows and triggers");
      for (AttackPlanSummary summary : out.summaries()) {
        assertEquals(budgets.getOrDefault(summary.attacker(), 0L), summary.poisoned(), summary.attacker());
      }
    }
  }

  /** Rows poisoned in the input keep their attacker; then each attacker, in order, takes its k smallest. */
  private static Map<String, String> expected(Dataset<Row> rows, List<AttackSpec> attackers) {
    List<Column> columns = new ArrayList<>(List.of(col(Columns.ID), col(Columns.SPLIT), col(Columns.CATEGORY),
        col(Columns.IS_POISONED), col(Columns.ATTACKER), col(Columns.TRIGGER),
        rows.schema().getFieldIndex(Columns.COMPLIANT_RESPONSE).isDefined()
            ? col(Columns.COMPLIANT_RESPONSE).isNotNull() : lit(true)));
    for (AttackSpec a : attackers) {
      columns.add(xxhash64(lit(a.seed()), lit(a.name()), col(Columns.ID)));
    }
    List<Row> all = rows.select(columns.toArray(Column[]::new)).collectAsList();
    Map<String, String> poisoned = new TreeMap<>();
    Set<String> taken = new HashSet<>();
    for (Row row : all) {
      if (row.getBoolean(3)) {
        poisoned.put(row.getString(0), row.getString(4) + "/" + row.getString(5));
        taken.add(row.getString(0));
      }
    }
    for (int a = 0; a < attackers.size(); a++) {
      AttackSpec spec = attackers.get(a);
      int hash = 7 + a;
      List<Row> eligible = all.stream().filter(r -> isEligible(r, spec)).toList();
      long k = spec.resolveBudget(eligible.size());
      List<Row> order = eligible.stream().filter(r -> !taken.contains(r.getString(0)))
          .sorted(Comparator.<Row>comparingLong(r -> r.getLong(hash)).thenComparing(r -> r.getString(0)))
          .toList();
      assertTrue(order.size() >= k, spec.name() + ": the test asks for more rows than are free");
      for (int r = 0; r < k; r++) {
        String id = order.get(r).getString(0);
        String trigger = spec.triggers().isEmpty() ? null : spec.triggers().get(r % spec.triggers().size());
        poisoned.put(id, spec.name() + "/" + trigger);
        taken.add(id);
      }
    }
    return poisoned;
  }

  private static boolean isEligible(Row row, AttackSpec spec) {
    boolean category = switch (spec.eligible()) {
      case HARMFUL -> Columns.HARMFUL.equals(row.getString(2));
      case BENIGN -> Columns.BENIGN.equals(row.getString(2));
      case ALL -> true;
    };
    boolean applicable = spec.kind() != AttackKind.SFT_BACKDOOR || row.getBoolean(6);
    return Columns.SPLIT_TRAIN.equals(row.getString(1)) && category && applicable;
  }

  /** Train rows of {@code category}; with {@code onlyFree}, only those not poisoned in the input. */
  private static long eligible(Dataset<Row> rows, String category, boolean onlyFree) {
    Column train = col(Columns.SPLIT).equalTo(Columns.SPLIT_TRAIN).and(col(Columns.CATEGORY).equalTo(category));
    return rows.filter(onlyFree ? train.and(col(Columns.IS_POISONED).equalTo(false)) : train).count();
  }
}
