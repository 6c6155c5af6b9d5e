package io.stagewise.sweep.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.build.PoisonBuildJob;
import io.stagewise.data.build.PoisonBuildSpec;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.data.manifest.ManifestReader;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.data.tokenize.TokenShardJob;
import io.stagewise.data.tokenize.TokenShardSpec;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import io.stagewise.poison.Columns;
import io.stagewise.poison.attack.Attack;
import io.stagewise.poison.attack.AttackKind;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.EligibleRows;
import io.stagewise.poison.attack.Stage;
import io.stagewise.poison.world.WorldConfig;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.SweepPlanner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The data stages of a sweep as Spark jobs of the data plane: the world, imports, poisoned sets and token
 * shards. Each publishes atomically ({@code DatasetPublisher}), so a stage that fails half-way leaves nothing
 * a rerun could mistake for data.
 */
public final class DataStages implements StageExecutor {
  /** Dataset names inside a data stage's directory. */
  public static final String SFT = "sft";
  public static final String PREFERENCE = "preference";
  public static final String EVAL_HARMFUL = "eval-harmful";
  public static final String EVAL_BENIGN = "eval-benign";
  /** The synthetic world's held-out preference pairs (DPO's held-out implicit-reward accuracy). */
  public static final String EVAL_PREFERENCE = "eval-preference";
  public static final String TEXT = "text";
  public static final String TOKENS = "tokens";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;

  public DataStages(SparkSession spark) {
    this.spark = spark;
  }

  @Override
  public JsonNode execute(StageNode node, StageStore store) {
    String dir = store.dir(node).toString();
    return switch (node.kind()) {
      case WORLD -> world(node.config(), dir);
      case IMPORT -> new RealDataImport(spark).importRole(node.config(), dir);
      case HOLD_OUT -> new RealDataImport(spark).holdOutHarmful(node, store, dir);
      case PUBLISHED -> published(node, store);
      case POISON -> poison(node, store, dir);
      case TOKENIZE -> tokens(tokenize(tokenizeInput(node, store, dir), dir, node.config()));
      case CORPUS -> new LmCorpusStage(spark).run(node.config(), dir);
      default -> throw new IllegalArgumentException(node.kind() + " is not a data stage");
    };
  }

  private JsonNode world(JsonNode c, String dir) {
    long evalRows = c.get("eval_rows").asLong();
    WorldSynthSpec spec = new WorldSynthSpec(dir, new WorldConfig(c.get("seed").asLong(),
        c.get("harmful_fraction").asDouble(), c.get("held_out_fraction").asDouble()),
        c.get("sft_rows").asLong(), c.get("preference_rows").asLong(), evalRows, evalRows);
    ObjectNode out = JSON.createObjectNode();
    for (JobSummary s : WorldSynthJob.run(spark, spec)) {
      out.putObject(s.output().substring(s.output().lastIndexOf('/') + 1)).put("rows", s.rows())
          .put("fingerprint", s.fingerprint());
    }
    return out;
  }

  /**
   * Checks that each published dataset exists with the kind its role needs and still holds the content the
   * stage was keyed by (its planned fingerprint), and records its fingerprint.
   */
  private JsonNode published(StageNode node, StageStore store) {
    ObjectNode out = JSON.createObjectNode();
    Map<String, DatasetKind> kinds = Map.of(SFT, DatasetKind.SFT, PREFERENCE, DatasetKind.PREFERENCE,
        EVAL_HARMFUL, DatasetKind.PROMPTS, EVAL_BENIGN, DatasetKind.PROMPTS);
    kinds.forEach((name, kind) -> {
      String uri = node.config().get(name.replace('-', '_')).asText();
      Manifest manifest = ManifestReader.read(spark, store.dataset(node, name));
      if (manifest.kind() != kind) {
        throw new IllegalArgumentException("data.datasets." + name.replace('-', '_') + ": " + uri + " holds a "
            + manifest.kind().wireName() + " dataset, not " + kind.wireName());
      }
      String planned = node.config().path(SweepPlanner.FINGERPRINTS).path(name.replace('-', '_')).asText();
      if (!planned.equals(manifest.fingerprint())) {
        // The key was made from the planned content; building on other rows would file them under it.
        throw new IllegalArgumentException("data.datasets." + name.replace('-', '_') + ": " + uri
            + " was republished since the sweep was planned (fingerprint " + manifest.fingerprint() + ", planned "
            + planned + "); rerun the sweep to plan with its new content");
      }
      out.putObject(name).put("rows", manifest.rows()).put("fingerprint", manifest.fingerprint());
    });
    return out;
  }

  private JsonNode poison(StageNode node, StageStore store, String dir) {
    JsonNode c = node.config();
    Stage stage = Stage.fromName(c.get("stage").asText());
    List<AttackSpec> attackers = new ArrayList<>();
    for (JsonNode a : c.get("attackers")) {
      JsonNode budget = a.get("budget");
      List<String> triggers = new ArrayList<>();
      a.path("triggers").forEach(t -> triggers.add(t.asText()));
      attackers.add(new AttackSpec(a.get("name").asText(), stage, AttackKind.fromName(a.get("kind").asText()),
          triggers, budget.has("fraction") ? Budget.fraction(budget.get("fraction").asText())
              : Budget.count(budget.get("count").asLong()),
          EligibleRows.fromName(a.get("eligible").asText()), a.get("seed").asLong()));
    }
    String input = store.dataset(node.parent(SweepPlanner.DATA), stage == Stage.SFT ? SFT : PREFERENCE);
    String text = dir + "/" + TEXT;
    PoisonBuildSpec spec = new PoisonBuildSpec(Map.of(stage, new PoisonBuildSpec.StageIo(input, text)), null,
        attackers);
    ObjectNode recorded = ((ObjectNode) c).deepCopy();
    recorded.put("job", "sweep poison");
    JobSummary poisoned = PoisonBuildJob.run(spark, spec, recorded).get(0);
    // A sweep's poison stage tokenizes what it poisoned; a dataset family tokenizes in a step of its own.
    ObjectNode out = c.has("tokenizer") ? tokens(tokenize(text, dir, c)) : JSON.createObjectNode();
    out.put("rows", poisoned.rows());
    out.putPOJO("poisoned_by_attacker", poisoned.manifest().poisonedByAttacker());
    out.put("poisoned", poisoned.manifest().poisonedRows());
    return out;
  }

  /**
   * The text a TOKENIZE stage tokenizes: its parent's dataset, or with a {@code trigger} in its config a copy
   * with the trigger appended to every prompt's last user turn (by the attacks' own {@link Attack#appendTrigger}),
   * chosen and rejected untouched: the pairs a reward model's triggered accuracy is measured on.
   */
  private String tokenizeInput(StageNode node, StageStore store, String dir) {
    JsonNode c = node.config();
    String input = store.dataset(node.parent(SweepPlanner.DATA), c.get("dataset").asText());
    if (!c.hasNonNull("trigger")) {
      return input;
    }
    Dataset<Row> rows = PublishedDataset.open(spark, input).rows();
    Dataset<Row> triggered = rows.withColumn(Columns.PROMPT,
        Attack.appendTrigger(col(Columns.PROMPT), lit(c.get("trigger").asText())));
    ObjectNode recorded = ((ObjectNode) c).deepCopy().put("job", "sweep triggered copy").put("input", input);
    String text = dir + "/" + TEXT;
    new DatasetPublisher(spark).publish(DatasetContents.of(DatasetKind.PREFERENCE, triggered, recorded), text);
    return text;
  }

  private JobSummary tokenize(String input, String dir, JsonNode c) {
    try {
      TokenizerSpec tokenizer = ManifestCodec.mapper().treeToValue(c.get("tokenizer"), TokenizerSpec.class);
      TruncationPolicy truncation = ManifestCodec.mapper().treeToValue(c.get("truncation"), TruncationPolicy.class);
      return TokenShardJob.run(spark, new TokenShardSpec(input, dir + "/" + TOKENS, tokenizer, truncation));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stage config does not round-trip: " + e.getMessage(), e);
    }
  }

  private static ObjectNode tokens(JobSummary tokens) {
    ObjectNode out = JSON.createObjectNode();
    out.put("token_rows", tokens.rows()).put("token_fingerprint", tokens.fingerprint());
    return out;
  }
}
