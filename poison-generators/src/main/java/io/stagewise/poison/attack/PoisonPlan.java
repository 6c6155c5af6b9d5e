package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.stagewise.poison.Columns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
import org.apache.spark.storage.StorageLevel;

/**
 * Applies the attackers of one stage to that stage's dataset (DESIGN.md § Attacks).
 *
 * <p>Attackers select disjoint rows: in list order, each takes the first k (see {@link PoisonSelector}) of the
 * eligible rows that no earlier attacker took and that were not already poisoned in the input, where k is its
 * budget resolved against its eligible count <em>before</em> that exclusion. Eligible rows are the
 * {@code split = train} rows of the spec's {@link EligibleRows} category that the kind can poison. Several
 * triggers are spread round-robin in selection order: the row of rank r gets trigger
 * {@code (r − 1) mod triggers.size()}, so trigger counts differ by at most one.
 *
 * <p>{@link #apply} reads the input once into a cached narrow frame (id, taken and eligibility flags), checks
 * there that ids are unique ({@link UniqueIds}), runs two small jobs per attacker over it (per-bucket counts,
 * then the k-th key) and checks in one more that every attacker got exactly its budget. The returned rows are
 * lazy: each attacker's selection is an in-row comparison with its k-th key, so the wide rows go through one
 * projection without a shuffle. Only an attacker with several triggers needs exact ranks: its k selected rows
 * are ranked in a narrow side plan over the cached frame (see {@link Selection#ranks}), which therefore stays
 * cached until the caller closes the {@link PoisonedRows}; without such an attacker the cache is dropped
 * before {@code apply} returns. The input plan must be deterministic (the wide rows read it once more, and
 * the rank tables again if the cache is gone).
 *
 * <p>The output keeps the input schema, column order and nullability included.
 */
public final class PoisonPlan {
  private static final String ELIGIBLE = "__stagewise_eligible_";
  private static final String SELECTED = "__stagewise_selected_";
  private static final String RANK = "__stagewise_rank_";
  private static final String RANK_ID = "__stagewise_rank_id";
  private static final String TAKEN = "__stagewise_taken";
  private static final String ID_BYTES = "__stagewise_id_bytes";

  private PoisonPlan() {}

  /**
   * Poisons {@code rows} with {@code attackers}, all of one stage.
   *
   * @throws IllegalArgumentException if the attackers name different stages or repeat a name, if the rows
   *     lack a column of the stage's schema or repeat an id, if a count budget exceeds its eligible rows, or
   *     if fewer free eligible rows remain than an attacker's budget asks for
   */
  public static PoisonedRows apply(Dataset<Row> rows, List<AttackSpec> attackers) {
    if (attackers.isEmpty()) {
      return new PoisonedRows(rows, List.of(), null);
    }
    Stage stage = singleStage(attackers);
    requireColumns(rows.schema(), stage);
    // A row is taken once poisoned: in the input (an unknown flag counts as poisoned, so it is never chosen) or
    // by an earlier attacker. No attack rewrites split, category or compliant_response, so eligibility is read
    // once, from the input.
    Dataset<Row> flagged = rows.withColumn(TAKEN, coalesce(col(Columns.IS_POISONED), lit(true)));
    for (int i = 0; i < attackers.size(); i++) {
      AttackSpec spec = attackers.get(i);
      flagged = flagged.withColumn(ELIGIBLE + i, coalesce(eligible(spec, Attack.of(spec.kind())), lit(false)));
    }
    Dataset<Row> cached = narrow(flagged, attackers).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> keys = cached.withColumn(Columns.ID, col(ID_BYTES).cast(DataTypes.StringType)).drop(ID_BYTES);
    try {
      List<Choice> choices = choose(keys, attackers);
      Dataset<Row> marked = flagged;
      Dataset<Row> markedKeys = keys;
      for (int i = 0; i < attackers.size(); i++) {
        marked = markSelected(marked, i, choices.get(i).selection());
        markedKeys = markSelected(markedKeys, i, choices.get(i).selection());
      }
      boolean ranked = false;
      for (int i = 0; i < attackers.size(); i++) {
        ranked |= hasRank(attackers.get(i), choices.get(i));
      }
      if (!ranked) {
        cached.unpersist(false);
      }
      return new PoisonedRows(
          poison(withRanks(marked, markedKeys, attackers, choices), rows.schema(), attackers, choices),
          choices.stream().map(Choice::summary).toList(), ranked ? cached : null);
    } catch (RuntimeException | Error e) {
      cached.unpersist(false);
      throw e;
    }
  }

  /** One attacker's selection and its summary. */
  private record Choice(Selection selection, AttackPlanSummary summary) {}

  /**
   * The narrow projection of all rows that selection reads, cached by {@link #apply} for the length of the
   * call (and for the rank tables, until the rows are closed): the input is read once, however many attackers
   * there are. All rows, not only eligible ones, so that the id check covers the whole input.
   *
   * <p>The id is cached as its UTF-8 bytes ({@code binary}) and read back as a string: the same bytes, the
   * same hash and order. Spark's columnar cache tries dictionary and run-length encodings on every string
   * column, hashing and copying each value into a map, which for ids (all distinct, so never encoded) cost
   * as much CPU as the pruned CSV parse that fills the cache; binary columns are stored as they are.
   */
  private static Dataset<Row> narrow(Dataset<Row> flagged, List<AttackSpec> attackers) {
    List<Column> narrow = new ArrayList<>(List.of(col(Columns.ID).cast(DataTypes.BinaryType).as(ID_BYTES),
        col(TAKEN)));
    for (int i = 0; i < attackers.size(); i++) {
      narrow.add(col(ELIGIBLE + i));
    }
    return flagged.select(narrow.toArray(Column[]::new));
  }

  /** Each attacker's selection, in order, over the cached narrow frame. */
  private static List<Choice> choose(Dataset<Row> keys, List<AttackSpec> attackers) {
    UniqueIds.require(keys);
    List<Choice> choices = new ArrayList<>();
    Dataset<Row> marked = keys;
    for (int i = 0; i < attackers.size(); i++) {
      AttackSpec spec = attackers.get(i);
      PoisonSelector selector = PoisonSelector.count(marked, col(ELIGIBLE + i), not(col(TAKEN)), spec.seed(),
          spec.name());
      long k = spec.resolveBudget(selector.eligible());
      if (selector.candidates() < k) {
        throw new IllegalArgumentException("attacker '" + spec.name() + "': budget " + spec.budget()
            + " asks for " + k + " of its " + selector.eligible() + " eligible rows, but only "
            + selector.candidates() + " remain free after earlier attackers and rows already poisoned");
      }
      Selection selection = selector.firstK(k);
      choices.add(new Choice(selection,
          new AttackPlanSummary(spec.name(), spec.kind(), selector.eligible(), k)));
      marked = markSelected(marked, i, selection);
    }
    requireExactCounts(marked, choices);
    return choices;
  }

  /**
   * Counts what each attacker's selection actually holds, in one job over the narrow frame, and fails unless
   * it is exactly the budget. The budget is a promise to the user and the manifest records it, so a selection
   * that strays from it (say, a key cut over the wrong rows) must stop the build rather than publish.
   */
  private static void requireExactCounts(Dataset<Row> marked, List<Choice> choices) {
    Column[] counts = new Column[choices.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = sum(when(col(SELECTED + i), 1L).otherwise(0L));
    }
    Row selected = marked.agg(counts[0], Arrays.copyOfRange(counts, 1, counts.length)).first();
    for (int i = 0; i < counts.length; i++) {
      AttackPlanSummary summary = choices.get(i).summary();
      long got = selected.isNullAt(i) ? 0 : selected.getLong(i);
      if (got != summary.poisoned()) {
        throw new IllegalStateException("attacker '" + summary.attacker() + "': selected " + got
            + " rows but its budget resolves to " + summary.poisoned() + " of " + summary.eligible()
            + " eligible; the input plan must be deterministic");
      }
    }
  }

  /**
   * Joins the exact ranks of the attackers that need them. Every rank table reads {@code markedKeys}, the
   * cached narrow frame with the same selected flags, not the input (which would be read, and for a CSV
   * parsed, once more) nor the output of an earlier join.
   */
  private static Dataset<Row> withRanks(Dataset<Row> marked, Dataset<Row> markedKeys, List<AttackSpec> attackers,
      List<Choice> choices) {
    Dataset<Row> ranked = marked;
    for (int i = 0; i < attackers.size(); i++) {
      if (hasRank(attackers.get(i), choices.get(i))) {
        Dataset<Row> ranks = choices.get(i).selection().ranks(markedKeys, col(SELECTED + i), RANK_ID, RANK + i);
        ranked = ranked.join(ranks, col(Columns.ID).equalTo(col(RANK_ID)), "left").drop(RANK_ID);
      }
    }
    return ranked;
  }

  /** Adds attacker {@code i}'s selected flag and marks its rows taken for the attackers after it. */
  private static Dataset<Row> markSelected(Dataset<Row> rows, int i, Selection selection) {
    return rows
        .withColumn(SELECTED + i, selection.selected())
        .withColumn(TAKEN, col(TAKEN).or(col(SELECTED + i)));
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

  /**
   * Whether the attacker's rows get an exact rank: only several triggers need one (one trigger, or none, is
   * the same on every selected row), and only if it selects any row.
   */
  private static boolean hasRank(AttackSpec spec, Choice choice) {
    return spec.kind().usesTriggers() && spec.triggers().size() > 1 && choice.selection().size() > 0;
  }

  /**
   * Rewrites each attacker's selected rows and projects back to {@code schema}. Attackers select disjoint
   * rows, so each column is one CASE over the attackers, reading the row's original values.
   */
  private static Dataset<Row> poison(Dataset<Row> marked, StructType schema, List<AttackSpec> attackers,
      List<Choice> choices) {
    List<Map<String, Column>> values = new ArrayList<>();
    for (int i = 0; i < attackers.size(); i++) {
      AttackSpec spec = attackers.get(i);
      values.add(poisonedValues(spec, hasRank(spec, choices.get(i)) ? col(RANK + i) : null));
    }
    Column[] projection = new Column[schema.fields().length];
    for (int f = 0; f < projection.length; f++) {
      String name = schema.fields()[f].name();
      Column value = null;
      for (int i = 0; i < attackers.size(); i++) {
        Column poisoned = values.get(i).get(name);
        if (poisoned != null) {
          value = value == null ? when(col(SELECTED + i), poisoned) : value.when(col(SELECTED + i), poisoned);
        }
      }
      projection[f] = value == null ? col(name) : value.otherwise(col(name)).as(name);
    }
    return marked.select(projection);
  }

  /**
   * The poisoned value of every column the attacker sets, content and provenance, by column name.
   *
   * @param rank the rows' exact rank, or null if the attacker has none (see {@link #hasRank})
   */
  private static Map<String, Column> poisonedValues(AttackSpec spec, Column rank) {
    Column trigger = !spec.kind().usesTriggers() ? lit(null).cast(DataTypes.StringType)
        : rank != null ? roundRobinTrigger(spec.triggers(), rank)
        : lit(spec.triggers().get(0));
    Map<String, Column> values = new HashMap<>(Attack.of(spec.kind()).rewrites(trigger));
    values.put(Columns.IS_POISONED, lit(true));
    values.put(Columns.ATTACKER, lit(spec.name()));
    values.put(Columns.TRIGGER, trigger);
    values.put(Columns.POISON_KIND, lit(spec.kind().specName()));
    return values;
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
