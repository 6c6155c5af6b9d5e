package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;

import io.stagewise.poison.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Applies the attackers of one stage to that stage's dataset (DESIGN.md § Attacks).
 *
 * <p>Attackers select disjoint rows: in list order, each ranks (see {@link PoisonSelector}) only the eligible
 * rows that no earlier attacker took and that were not already poisoned in the input, and poisons the first
 * k, where k is its budget resolved against its eligible count <em>before</em> that exclusion. Eligible rows
 * are the {@code split = train} rows of the spec's {@link EligibleRows} category that the kind can poison.
 * Several triggers are spread round-robin in selection order: the row of rank r gets trigger
 * {@code (r − 1) mod triggers.size()}, so trigger counts differ by at most one.
 *
 * <p>The output keeps the input schema, column order and nullability included. Each attacker runs one small
 * aggregation job (per-bucket counts) when {@link #apply} is called; the rows themselves stay lazy.
 */
public final class PoisonPlan {
  private PoisonPlan() {}

  /**
   * Poisons {@code rows} with {@code attackers}, all of one stage.
   *
   * @throws IllegalArgumentException if the attackers name different stages or repeat a name, if the rows
   *     lack a column of the stage's schema, if a count budget exceeds its eligible rows, or if fewer free
   *     eligible rows remain than an attacker's budget asks for
   */
  public static PoisonedRows apply(Dataset<Row> rows, List<AttackSpec> attackers) {
    if (attackers.isEmpty()) {
      return new PoisonedRows(rows, List.of());
    }
    Stage stage = singleStage(attackers);
    requireColumns(rows.schema(), stage);
    Dataset<Row> poisoned = rows;
    List<AttackPlanSummary> summaries = new ArrayList<>();
    for (AttackSpec spec : attackers) {
      Attack attack = Attack.of(spec.kind());
      PoisonSelector.Ranking ranking = PoisonSelector.rank(
          poisoned, eligible(spec, attack), not(col(Columns.IS_POISONED)), spec.seed(), spec.name());
      long k = spec.resolveBudget(ranking.eligible());
      if (ranking.candidates() < k) {
        throw new IllegalArgumentException("attacker '" + spec.name() + "': budget " + spec.budget()
            + " asks for " + k + " of its " + ranking.eligible() + " eligible rows, but only "
            + ranking.candidates() + " remain free after earlier attackers and rows already poisoned");
      }
      poisoned = poison(ranking.rows(), rows.schema(), spec, attack, k);
      summaries.add(new AttackPlanSummary(spec.name(), spec.kind(), ranking.eligible(), k));
    }
    return new PoisonedRows(poisoned, summaries);
  }

  private static Column eligible(AttackSpec spec, Attack attack) {
    Column train = col(Columns.SPLIT).equalTo(lit(Columns.SPLIT_TRAIN));
    Column category = switch (spec.eligible()) {
      case HARMFUL -> col(Columns.CATEGORY).equalTo(lit(Columns.HARMFUL));
      case BENIGN -> col(Columns.CATEGORY).equalTo(lit(Columns.BENIGN));
      case ALL -> lit(true);
    };
    return train.and(category).and(attack.applicable());
  }

  /** Rewrites the rows ranked 1..k and projects back to {@code schema}, dropping the rank. */
  private static Dataset<Row> poison(Dataset<Row> ranked, StructType schema, AttackSpec spec, Attack attack,
      long k) {
    Column selected = col(PoisonSelector.RANK).leq(lit(k));
    Column trigger = spec.kind().usesTriggers()
        ? roundRobinTrigger(spec.triggers(), col(PoisonSelector.RANK))
        : lit(null).cast(DataTypes.StringType);
    Map<String, Column> rewrites = attack.rewrites(trigger);
    Map<String, Column> provenance = Map.of(
        Columns.IS_POISONED, lit(true),
        Columns.ATTACKER, lit(spec.name()),
        Columns.TRIGGER, trigger,
        Columns.POISON_KIND, lit(spec.kind().specName()));
    Column[] projection = new Column[schema.fields().length];
    for (int i = 0; i < projection.length; i++) {
      String name = schema.fields()[i].name();
      Column poisonedValue = rewrites.getOrDefault(name, provenance.get(name));
      projection[i] = poisonedValue == null
          ? col(name)
          : when(selected, poisonedValue).otherwise(col(name)).as(name);
    }
    return ranked.select(projection);
  }

  /**
   * Trigger {@code (rank − 1) mod n}, as a CASE over literals: unlike an array lookup it is provably
   * non-null, which keeps the prompt column non-nullable.
   */
  private static Column roundRobinTrigger(List<String> triggers, Column rank) {
    Column index = pmod(rank.minus(lit(1L)), lit((long) triggers.size()));
    Column trigger = lit(triggers.get(triggers.size() - 1));
    for (int i = triggers.size() - 2; i >= 0; i--) {
      trigger = when(index.equalTo(lit((long) i)), lit(triggers.get(i))).otherwise(trigger);
    }
    return trigger;
  }

  private static Stage singleStage(List<AttackSpec> attackers) {
    Set<Stage> stages = attackers.stream().map(AttackSpec::stage).collect(Collectors.toSet());
    if (stages.size() > 1) {
      throw new IllegalArgumentException("attackers: a plan applies one stage, but the attackers name "
          + attackers.stream().map(a -> a.name() + "=" + a.stage().specName())
              .collect(Collectors.joining(", ")));
    }
    Set<String> names = new HashSet<>();
    for (AttackSpec spec : attackers) {
      if (!names.add(spec.name())) {
        throw new IllegalArgumentException("attackers: name '" + spec.name() + "' is used twice");
      }
    }
    return stages.iterator().next();
  }

  private static void requireColumns(StructType schema, Stage stage) {
    StructType required = stage == Stage.SFT ? Columns.SFT : Columns.PREFERENCE;
    Set<String> present = new HashSet<>(Arrays.asList(schema.fieldNames()));
    List<String> missing = Arrays.stream(required.fieldNames()).filter(name -> !present.contains(name)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("rows: missing column(s) " + missing + " of the "
          + stage.specName() + " schema");
    }
  }
}
