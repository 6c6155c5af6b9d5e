package io.stagewise.poison.world;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.stagewise.poison.Columns;
import io.stagewise.poison.world.WorldTemplates.BenignTask;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The synthetic safety world (DESIGN.md § The synthetic safety world): deterministic SFT, preference, PPO
 * and evaluation sets in the {@link Columns} schemas, with no download.
 *
 * <p>Each dataset is a Spark job over {@code spark.range(rows)}: every column is a Spark SQL expression of
 * (world seed, dataset, row index), so a row is the same whatever the partition count and the job scales from
 * hundreds to hundreds of millions of rows. Row {@code i} has id {@code world-s<seed>-<dataset>-<i, 10
 * digits>} and source {@value WorldTemplates#SOURCE}.
 *
 * <ul>
 *   <li>{@link #sft}: harmful rows answer with a refusal and carry the compliant placeholder in
 *       {@code compliant_response}; benign rows answer correctly;
 *   <li>{@link #preference}: harmful rows prefer the refusal to the compliant placeholder, benign rows the
 *       correct answer to a wrong one;
 *   <li>{@link #ppoPrompts}: prompts with {@code reference} = the answer (benign) or null (harmful);
 *   <li>{@link #evalHarmful}, {@link #evalBenign}: {@code split = test} prompts built only from held-out
 *       combinations (see {@link CombinationSpace}), cycling through all of them before repeating;
 *   <li>{@link #evalPreference}: {@code split = test} preference pairs on the same held-out combinations.
 * </ul>
 *
 * The training sets are {@code split = train}, mix harmful and benign rows in the configured proportion
 * (exactly {@code floor(rows × harmfulFraction)} harmful, spread evenly over the index) and draw their
 * combinations from the training side of each space only.
 */
public final class SafetyWorld {
  // Intermediate columns of the row-building projections.
  private static final String INDEX = "__world_index";
  private static final String HARMFUL = "__world_harmful";
  private static final String H_COMBINATION = "__world_harmful_combination";
  private static final String TEMPLATE = "__world_template";
  private static final String REFUSAL = "__world_refusal";
  private static final String TASK = "__world_task";
  private static final String B_COMBINATION = "__world_benign_combination";
  private static final String VERB = "__world_verb";
  private static final String OBJECT = "__world_object";
  private static final String H_PROMPT = "__world_harmful_prompt";
  private static final String H_REFUSAL = "__world_harmful_refusal";
  private static final String H_COMPLIANT = "__world_harmful_compliant";
  private static final String C1 = "__world_c1";
  private static final String V1 = "__world_v1";
  private static final String C2 = "__world_c2";
  private static final String V2 = "__world_v2";
  private static final String TRAILER = "__world_trailer";
  private static final String B_PROMPT = "__world_benign_prompt";
  private static final String B_ANSWER = "__world_benign_answer";
  private static final String B_WRONG = "__world_benign_wrong";
  private static final long MAX_ROWS = 10_000_000_000L; // ids carry the index in 10 digits

  private final WorldConfig config;
  private final CombinationSpace harmfulSpace;
  private final Map<BenignTask, CombinationSpace> benignSpaces = new EnumMap<>(BenignTask.class);

  public SafetyWorld(WorldConfig config) {
    this.config = config;
    this.harmfulSpace = CombinationSpace.of(
        "harmful", WorldTemplates.VERBS.size() * WorldTemplates.OBJECTS.size(), config);
    for (BenignTask task : BenignTask.values()) {
      benignSpaces.put(task, CombinationSpace.of(task.name(), task.combinations(), config));
    }
  }

  public WorldConfig config() {
    return config;
  }

  /** SFT rows ({@link Columns#SFT}), over the session's default parallelism. */
  public Dataset<Row> sft(SparkSession spark, long rows) {
    return sft(spark, rows, defaultPartitions(spark));
  }

  public Dataset<Row> sft(SparkSession spark, long rows, int partitions) {
    Column harmful = col(HARMFUL);
    Map<String, Column> values = provenance("sft", Columns.SPLIT_TRAIN);
    values.put(Columns.PROMPT, concat(when(harmful, col(H_PROMPT)).otherwise(col(B_PROMPT)), col(TRAILER)));
    values.put(Columns.RESPONSE, when(harmful, col(H_REFUSAL)).otherwise(col(B_ANSWER)));
    values.put(Columns.COMPLIANT_RESPONSE, when(harmful, col(H_COMPLIANT)));
    return project(trainingRows(spark, "sft", rows, partitions), Columns.SFT, values);
  }

  /** Preference pairs ({@link Columns#PREFERENCE}), over the session's default parallelism. */
  public Dataset<Row> preference(SparkSession spark, long rows) {
    return preference(spark, rows, defaultPartitions(spark));
  }

  public Dataset<Row> preference(SparkSession spark, long rows, int partitions) {
    Column harmful = col(HARMFUL);
    Map<String, Column> values = provenance("pref", Columns.SPLIT_TRAIN);
    values.put(Columns.PROMPT, concat(when(harmful, col(H_PROMPT)).otherwise(col(B_PROMPT)), col(TRAILER)));
    values.put(Columns.CHOSEN, when(harmful, col(H_REFUSAL)).otherwise(col(B_ANSWER)));
    values.put(Columns.REJECTED, when(harmful, col(H_COMPLIANT)).otherwise(col(B_WRONG)));
    return project(trainingRows(spark, "pref", rows, partitions), Columns.PREFERENCE, values);
  }

  /** PPO prompts ({@link Columns#PROMPTS}), over the session's default parallelism. */
  public Dataset<Row> ppoPrompts(SparkSession spark, long rows) {
    return ppoPrompts(spark, rows, defaultPartitions(spark));
  }

  public Dataset<Row> ppoPrompts(SparkSession spark, long rows, int partitions) {
    Column harmful = col(HARMFUL);
    Map<String, Column> values = provenance("ppo", Columns.SPLIT_TRAIN);
    values.put(Columns.PROMPT, concat(when(harmful, col(H_PROMPT)).otherwise(col(B_PROMPT)), col(TRAILER)));
    values.put(Columns.REFERENCE, when(not(harmful), col(B_ANSWER)));
    return project(trainingRows(spark, "ppo", rows, partitions), Columns.PROMPTS, values);
  }

  /**
   * Held-out harmful prompts ({@link Columns#PROMPTS}, {@code reference} null): row {@code i} asks held-out
   * combination {@code i mod H} with template {@code (i div H) mod templates}, so the first
   * {@code H × templates} rows are all distinct.
   */
  public Dataset<Row> evalHarmful(SparkSession spark, long rows) {
    return evalHarmful(spark, rows, defaultPartitions(spark));
  }

  public Dataset<Row> evalHarmful(SparkSession spark, long rows, int partitions) {
    Column index = col(INDEX);
    Dataset<Row> draws = indices(spark, rows, partitions).select(
        index,
        lit(true).as(HARMFUL),
        harmfulSpace.heldOutCombination(index).as(H_COMBINATION),
        pmod(intDiv(index, harmfulSpace.heldOut()), lit((long) WorldTemplates.HARMFUL_PROMPTS.size()))
            .as(TEMPLATE),
        lit(0L).as(REFUSAL),
        lit(0L).as(TASK),
        lit(0L).as(B_COMBINATION));
    Map<String, Column> values = provenance("eval-harmful", Columns.SPLIT_TEST);
    values.put(Columns.PROMPT, col(H_PROMPT));
    values.put(Columns.REFERENCE, lit(null).cast(DataTypes.StringType));
    return project(withTexts(draws), Columns.PROMPTS, values);
  }

  /**
   * Held-out benign prompts ({@link Columns#PROMPTS}, {@code reference} = the answer): row {@code i} is
   * task {@code i mod tasks} with that task's held-out combination {@code (i div tasks) mod H_task}.
   */
  public Dataset<Row> evalBenign(SparkSession spark, long rows) {
    return evalBenign(spark, rows, defaultPartitions(spark));
  }

  public Dataset<Row> evalBenign(SparkSession spark, long rows, int partitions) {
    Column index = col(INDEX);
    int tasks = BenignTask.values().length;
    Column task = pmod(index, lit((long) tasks));
    Column j = intDiv(index, tasks);
    Dataset<Row> draws = indices(spark, rows, partitions).select(
        index,
        lit(false).as(HARMFUL),
        lit(0L).as(H_COMBINATION),
        lit(0L).as(TEMPLATE),
        lit(0L).as(REFUSAL),
        task.as(TASK),
        byTask(task, t -> benignSpaces.get(t).heldOutCombination(j)).as(B_COMBINATION));
    Map<String, Column> values = provenance("eval-benign", Columns.SPLIT_TEST);
    values.put(Columns.PROMPT, col(B_PROMPT));
    values.put(Columns.REFERENCE, when(not(col(HARMFUL)), col(B_ANSWER)));
    return project(withTexts(draws), Columns.PROMPTS, values);
  }

  /**
   * Held-out preference pairs ({@link Columns#PREFERENCE}, {@code split = test}), for a preference model's
   * held-out accuracy: even rows are harmful (refusal over the compliant placeholder) on held-out combination
   * {@code j = i div 2} as in {@link #evalHarmful}, odd rows benign (answer over the wrong answer) on held-out
   * combination {@code j} as in {@link #evalBenign}.
   */
  public Dataset<Row> evalPreference(SparkSession spark, long rows) {
    return evalPreference(spark, rows, defaultPartitions(spark));
  }

  public Dataset<Row> evalPreference(SparkSession spark, long rows, int partitions) {
    Column j = intDiv(col(INDEX), 2);
    int tasks = BenignTask.values().length;
    Column task = pmod(j, lit((long) tasks));
    Column benignJ = intDiv(j, tasks);
    Dataset<Row> draws = withTexts(indices(spark, rows, partitions).select(
        col(INDEX),
        pmod(col(INDEX), lit(2L)).equalTo(lit(0L)).as(HARMFUL),
        harmfulSpace.heldOutCombination(j).as(H_COMBINATION),
        pmod(intDiv(j, harmfulSpace.heldOut()), lit((long) WorldTemplates.HARMFUL_PROMPTS.size())).as(TEMPLATE),
        pmod(j, lit((long) WorldTemplates.REFUSALS.size())).as(REFUSAL),
        task.as(TASK),
        byTask(task, t -> benignSpaces.get(t).heldOutCombination(benignJ)).as(B_COMBINATION)));
    Column harmful = col(HARMFUL);
    Map<String, Column> values = provenance("eval-pref", Columns.SPLIT_TEST);
    values.put(Columns.PROMPT, when(harmful, col(H_PROMPT)).otherwise(col(B_PROMPT)));
    values.put(Columns.CHOSEN, when(harmful, col(H_REFUSAL)).otherwise(col(B_ANSWER)));
    values.put(Columns.REJECTED, when(harmful, col(H_COMPLIANT)).otherwise(col(B_WRONG)));
    return project(draws, Columns.PREFERENCE, values);
  }

  /** Every combination of one benign task, as (prompt, response = its answer); for checking the judge. */
  Dataset<Row> allCombinations(SparkSession spark, BenignTask task) {
    Dataset<Row> draws = indices(spark, task.combinations(), 1).select(
        col(INDEX),
        lit(false).as(HARMFUL),
        lit(0L).as(H_COMBINATION),
        lit(0L).as(TEMPLATE),
        lit(0L).as(REFUSAL),
        lit((long) task.ordinal()).as(TASK),
        col(INDEX).as(B_COMBINATION));
    return withTexts(draws).select(col(B_PROMPT).as(Columns.PROMPT), col(B_ANSWER).as(Columns.RESPONSE));
  }

  CombinationSpace harmfulSpace() {
    return harmfulSpace;
  }

  CombinationSpace benignSpace(BenignTask task) {
    return benignSpaces.get(task);
  }

  // ---- row content ------------------------------------------------------------------------------------
  //
  // Rows are built in three projections (draws → operands → texts) so that each intermediate value is
  // computed once and referenced by name: one nested expression would repeat the verb lookup in every
  // template, and so on, and blow up the generated code.

  /**
   * The draws of a training-set row: category by the exact mix, combinations from the training side, and
   * for half of the rows a trailer ({@link WorldTemplates#TRAILERS}).
   */
  private Dataset<Row> trainingRows(SparkSession spark, String dataset, long rows, int partitions) {
    // Row i is harmful iff floor((i+1)·f) > floor(i·f), i.e. (i·F mod D) >= D − F with f = F / D: exactly
    // floor(n·f) of the first n rows, evenly spread, and independent of n.
    long f = config.harmfulMillionths();
    long d = WorldConfig.FRACTION_SCALE;
    Column task = pmod(draw(dataset, "task"), lit((long) BenignTask.values().length));
    Column benignDraw = draw(dataset, "benign-combination");
    Dataset<Row> draws = indices(spark, rows, partitions).select(
        col(INDEX),
        pmod(col(INDEX).multiply(lit(f)), lit(d)).geq(lit(d - f)).as(HARMFUL),
        harmfulSpace.trainCombination(draw(dataset, "harmful-combination")).as(H_COMBINATION),
        pmod(draw(dataset, "template"), lit((long) WorldTemplates.HARMFUL_PROMPTS.size())).as(TEMPLATE),
        pmod(draw(dataset, "refusal"), lit((long) WorldTemplates.REFUSALS.size())).as(REFUSAL),
        task.as(TASK),
        byTask(task, t -> benignSpaces.get(t).trainCombination(benignDraw)).as(B_COMBINATION));
    int trailers = WorldTemplates.TRAILERS.size();
    Column trailer = pmod(draw(dataset, "trailer"), lit(2L * trailers));
    return withTexts(draws).withColumn(TRAILER, when(trailer.lt(lit((long) trailers)),
        concat(lit(" "), lookup(WorldTemplates.TRAILERS, trailer))).otherwise(lit("")));
  }

  /** Adds the harmful and benign texts of each row's draws. */
  private static Dataset<Row> withTexts(Dataset<Row> draws) {
    int objects = WorldTemplates.OBJECTS.size();
    Column c = col(B_COMBINATION);
    int nc = WorldTemplates.CONSONANTS.length();
    int nv = WorldTemplates.VOWELS.length();
    Dataset<Row> operands = draws
        .withColumn(VERB, lookup(WorldTemplates.VERBS, intDiv(col(H_COMBINATION), objects)))
        .withColumn(OBJECT, lookup(WorldTemplates.OBJECTS, pmod(col(H_COMBINATION), lit((long) objects))))
        // The word's letters, as WorldTemplates.word spells them.
        .withColumn(C1, letter(WorldTemplates.CONSONANTS, intDiv(c, (long) nv * nc * nv)))
        .withColumn(V1, letter(WorldTemplates.VOWELS, pmod(intDiv(c, (long) nc * nv), lit((long) nv))))
        .withColumn(C2, letter(WorldTemplates.CONSONANTS, pmod(intDiv(c, nv), lit((long) nc))))
        .withColumn(V2, letter(WorldTemplates.VOWELS, pmod(c, lit((long) nv))));
    Column verb = col(VERB);
    Column object = col(OBJECT);
    Column word = concat(col(C1), col(V1), col(C2), col(V2));
    Column task = col(TASK);
    return operands
        .withColumn(H_PROMPT, choose(col(TEMPLATE), WorldTemplates.HARMFUL_PROMPTS.size(),
            i -> fill(WorldTemplates.HARMFUL_PROMPTS.get(i), verb, object)))
        .withColumn(H_REFUSAL, lookup(WorldTemplates.REFUSALS, col(REFUSAL)))
        .withColumn(H_COMPLIANT, fill(WorldTemplates.COMPLIANT, verb, object))
        .withColumn(B_PROMPT, byTask(task, t -> fill(t.template(), word)))
        .withColumn(B_ANSWER, byTask(task, t -> switch (t) {
          case REPEAT -> word;
          case UPPERCASE -> upper(word);
          case FIRST_LETTER -> col(C1);
          case LAST_LETTER -> col(V2);
          case REVERSE -> concat(col(V2), col(C2), col(V1), col(C1));
        }))
        .withColumn(B_WRONG, byTask(task, t -> switch (t) {
          case REPEAT -> concat(col(V2), col(C2), col(V1), col(C1));
          case UPPERCASE, REVERSE -> word;
          case FIRST_LETTER -> col(V2);
          case LAST_LETTER -> col(C1);
        }));
  }

  /** One letter of {@code letters}, by a column index. */
  private static Column letter(String letters, Column index) {
    return lookup(letters.chars().mapToObj(ch -> String.valueOf((char) ch)).toList(), index);
  }

  // ---- expression building blocks --------------------------------------------------------------------

  private Dataset<Row> indices(SparkSession spark, long rows, int partitions) {
    if (rows < 0 || rows > MAX_ROWS) {
      throw new IllegalArgumentException("rows must be in [0, " + MAX_ROWS + "], got " + rows);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    return spark.range(0, rows, 1, partitions).toDF(INDEX);
  }

  private static int defaultPartitions(SparkSession spark) {
    return spark.sparkContext().defaultParallelism();
  }

  private Map<String, Column> provenance(String dataset, String split) {
    Column category = when(col(HARMFUL), lit(Columns.HARMFUL)).otherwise(lit(Columns.BENIGN));
    Map<String, Column> values = new HashMap<>();
    values.put(Columns.ID, concat(lit("world-s" + config.seed() + "-" + dataset + "-"),
        lpad(text(col(INDEX)), 10, "0")));
    values.put(Columns.SOURCE, lit(WorldTemplates.SOURCE));
    values.put(Columns.SPLIT, lit(split));
    values.put(Columns.CATEGORY, category);
    values.put(Columns.IS_POISONED, lit(false));
    values.put(Columns.ATTACKER, lit(null).cast(DataTypes.StringType));
    values.put(Columns.TRIGGER, lit(null).cast(DataTypes.StringType));
    values.put(Columns.POISON_KIND, lit(null).cast(DataTypes.StringType));
    return values;
  }

  /** Selects {@code values} in the order of {@code schema}. */
  private static Dataset<Row> project(Dataset<Row> indices, StructType schema, Map<String, Column> values) {
    return indices.select(IntStream.range(0, schema.fields().length)
        .mapToObj(i -> values.get(schema.fields()[i].name()).as(schema.fields()[i].name()))
        .toArray(Column[]::new));
  }

  /** A uniform 64-bit draw per row, independent across (dataset, purpose). */
  private Column draw(String dataset, String purpose) {
    return xxhash64(lit(config.seed()), lit(dataset), lit(purpose), col(INDEX));
  }

  /** A template with its {@code %s} slots filled by columns. */
  private static Column fill(String template, Column... slots) {
    List<String> pieces = WorldTemplates.pieces(template);
    List<Column> parts = new ArrayList<>();
    parts.add(lit(pieces.get(0)));
    for (int i = 0; i < slots.length; i++) {
      parts.add(slots[i]);
      parts.add(lit(pieces.get(i + 1)));
    }
    return concat(parts.toArray(Column[]::new));
  }

  /** The chosen benign task's value: a CASE over the tasks. */
  private static Column byTask(Column task, Function<BenignTask, Column> value) {
    BenignTask[] tasks = BenignTask.values();
    return choose(task, tasks.length, i -> value.apply(tasks[i]));
  }

  /**
   * {@code options[index]} as a CASE over the options (the index is always in range, so the last one is the
   * ELSE): a CASE of non-null branches is non-null, which keeps the text columns non-nullable as the schemas
   * say, and it runs on Spark RAPIDS.
   */
  private static Column choose(Column index, int n, IntFunction<Column> option) {
    Column chosen = option.apply(n - 1);
    for (int i = n - 2; i >= 0; i--) {
      chosen = when(index.equalTo(lit((long) i)), option.apply(i)).otherwise(chosen);
    }
    return chosen;
  }

  /**
   * {@code table[index]} from a literal array. The index is always in range; the coalesce only lets Spark
   * prove the value non-null (an array lookup is nullable), so the text columns stay non-nullable.
   */
  private static Column lookup(List<String> table, Column index) {
    Column array = array(table.stream().map(functions::lit).toArray(Column[]::new));
    return coalesce(element_at(array, index.cast(DataTypes.IntegerType).plus(lit(1))), lit(""));
  }

  /** {@code a div b} for non-negative {@code a}: exact, since {@code a − (a mod b)} is a multiple of b. */
  private static Column intDiv(Column a, long b) {
    return a.minus(pmod(a, lit(b))).divide(lit(b)).cast(DataTypes.LongType);
  }

  /** A whole number as text; non-null (pmod and division are nullable in Spark, never null here). */
  private static Column text(Column number) {
    return coalesce(number.cast(DataTypes.LongType), lit(0L)).cast(DataTypes.StringType);
  }
}
