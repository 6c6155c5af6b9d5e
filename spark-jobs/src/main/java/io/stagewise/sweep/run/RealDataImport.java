package io.stagewise.sweep.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.importer.ImportJob;
import io.stagewise.data.importer.ImportSpec;
import io.stagewise.data.importer.SourceSpec;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.poison.Columns;
import io.stagewise.sweep.plan.DataNodes;
import io.stagewise.sweep.plan.StageNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The import data stages. An {@code import} step imports one role's real sources ({@code sft}, {@code
 * preference} or {@code eval_harmful}); the SFT step also holds the benign evaluation prompts out: the benign
 * SFT rows whose {@code xxhash64(id)} falls in the lowest {@code holdout_fraction} of the hash range (removed
 * from the SFT set; their response is the reference). The {@code hold-out} step then keeps the harmful prompts
 * that no imported SFT (held-out rows included) or preference row asks. Evaluation sets are written with
 * {@code split = test}.
 */
final class RealDataImport {
  /** A step's import as read, before any hold-out (the preference step's is its dataset as it is). */
  static final String IMPORTED = "imported";
  private static final long SCALE = 1_000_000L;
  private static final String ASKED = "asked_prompt";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final DatasetPublisher publisher;

  RealDataImport(SparkSession spark) {
    this.spark = spark;
    this.publisher = new DatasetPublisher(spark);
  }

  /** One role's import step. */
  JsonNode importRole(JsonNode config, String dir) {
    String role = config.get(DataNodes.ROLE).asText();
    ObjectNode out = JSON.createObjectNode();
    switch (role) {
      case "preference" -> out.set(IMPORTED, summary(importSources(config, DatasetKind.PREFERENCE,
          dir + "/" + DataStages.PREFERENCE)));
      case "eval_harmful" -> out.set(IMPORTED, summary(importSources(config, DatasetKind.PROMPTS,
          dir + "/" + IMPORTED)));
      case "sft" -> {
        JobSummary sft = importSources(config, DatasetKind.SFT, dir + "/" + IMPORTED);
        out.set(IMPORTED, summary(sft));
        holdOutBenign(config, sft.output(), dir, out);
      }
      default -> throw new IllegalArgumentException("import step of unknown role '" + role + "'");
    }
    return out;
  }

  private void holdOutBenign(JsonNode config, String imported, String dir, ObjectNode out) {
    Dataset<Row> sftRows = PublishedDataset.open(spark, imported).rows();
    double fraction = config.get("holdout_fraction").asDouble();
    Column held = col(Columns.CATEGORY).equalTo(lit(Columns.BENIGN))
        .and(pmod(xxhash64(col(Columns.ID)), lit(SCALE)).lt(lit(Math.round(fraction * SCALE))));
    ObjectNode recorded = ((ObjectNode) config).deepCopy().put("job", "sweep import hold-out");
    out.put(DataStages.SFT, publish(DatasetKind.SFT, sftRows.filter(org.apache.spark.sql.functions.not(held)),
        recorded, dir, DataStages.SFT));
    out.put(DataStages.EVAL_BENIGN, publish(DatasetKind.PROMPTS, asPrompts(sftRows.filter(held)), recorded, dir,
        DataStages.EVAL_BENIGN));
  }

  /** The hold-out step: the imported harmful prompts no imported SFT or preference row asks. */
  JsonNode holdOutHarmful(StageNode node, StageStore store, String dir) {
    Dataset<Row> sftRows = PublishedDataset.open(spark, store.dataset(node.parent("sft"), IMPORTED)).rows();
    Dataset<Row> preference = PublishedDataset.open(spark,
        store.dataset(node.parent("preference"), DataStages.PREFERENCE)).rows();
    // The asked prompts get their own column name: the anti-join's condition must name each side's column
    // unambiguously (two columns both called prompt cannot be told apart by col("prompt")).
    Dataset<Row> asked = sftRows.select(col(Columns.PROMPT).as(ASKED))
        .union(preference.select(col(Columns.PROMPT).as(ASKED))).distinct();
    Dataset<Row> harmfulRows = PublishedDataset.open(spark,
        store.dataset(node.parent("eval_harmful"), IMPORTED)).rows();
    Dataset<Row> unseen = harmfulRows
        .join(asked, harmfulRows.col(Columns.PROMPT).equalTo(asked.col(ASKED)), "left_anti")
        .withColumn(Columns.SPLIT, lit(Columns.SPLIT_TEST));
    ObjectNode recorded = node.config().deepCopy().put("job", "sweep import hold-out");
    ObjectNode out = JSON.createObjectNode();
    out.put(DataStages.EVAL_HARMFUL, publish(DatasetKind.PROMPTS, unseen.select(columns(Columns.PROMPTS.fieldNames())),
        recorded, dir, DataStages.EVAL_HARMFUL));
    return out;
  }

  private JobSummary importSources(JsonNode config, DatasetKind kind, String output) {
    List<SourceSpec> specs = new ArrayList<>();
    for (JsonNode s : config.get(DataNodes.SOURCES)) {
      try {
        specs.add(ManifestCodec.mapper().treeToValue(s, SourceSpec.class));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("stage config does not round-trip: " + e.getMessage(), e);
      }
    }
    return ImportJob.run(spark, new ImportSpec(output, kind, specs), publisher);
  }

  /** Held-out SFT rows as evaluation prompts: the response becomes the reference. */
  private static Dataset<Row> asPrompts(Dataset<Row> rows) {
    return rows.withColumn(Columns.REFERENCE, col(Columns.RESPONSE)).withColumn(Columns.SPLIT, lit(Columns.SPLIT_TEST))
        .select(columns(Columns.PROMPTS.fieldNames()));
  }

  private long publish(DatasetKind kind, Dataset<Row> rows, JsonNode recorded, String dir, String name) {
    return publisher.publish(DatasetContents.of(kind, rows, recorded), dir + "/" + name).rows();
  }

  private static ObjectNode summary(JobSummary job) {
    return JSON.createObjectNode().put("rows", job.rows()).put("rejected", job.rejected())
        .put("fingerprint", job.fingerprint());
  }

  private static Column[] columns(String[] names) {
    return Arrays.stream(names).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
  }
}
