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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code import} data stage: imports the real SFT, preference and harmful-prompt sources, then holds the
 * evaluation sets out of training. Benign evaluation prompts are the benign SFT rows whose
 * {@code xxhash64(id)} falls in the lowest {@code holdout_fraction} of the hash range (removed from the SFT
 * set; their response is the reference); harmful evaluation prompts are the harmful prompts that no SFT or
 * preference row asks. Both are written with {@code split = test}.
 */
final class RealDataImport {
  private static final long SCALE = 1_000_000L;
  private static final String ASKED = "asked_prompt";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final DatasetPublisher publisher;

  RealDataImport(SparkSession spark) {
    this.spark = spark;
    this.publisher = new DatasetPublisher(spark);
  }

  JsonNode run(JsonNode config, String dir) {
    JobSummary sft = importSources(config.get("sft"), DatasetKind.SFT, dir + "/imported-sft");
    JobSummary preference = importSources(config.get("preference"), DatasetKind.PREFERENCE,
        dir + "/" + DataStages.PREFERENCE);
    JobSummary harmful = importSources(config.get("eval_harmful"), DatasetKind.PROMPTS, dir + "/imported-eval-harmful");
    double fraction = config.get("holdout_fraction").asDouble();

    Dataset<Row> sftRows = PublishedDataset.open(spark, sft.output()).rows();
    Column held = col(Columns.CATEGORY).equalTo(lit(Columns.BENIGN))
        .and(pmod(xxhash64(col(Columns.ID)), lit(SCALE)).lt(lit(Math.round(fraction * SCALE))));
    ObjectNode recorded = ((ObjectNode) config).deepCopy().put("job", "sweep import hold-out");
    ObjectNode out = JSON.createObjectNode();
    out.set("imported", summaries(sft, preference, harmful));
    out.put(DataStages.SFT, publish(DatasetKind.SFT, sftRows.filter(org.apache.spark.sql.functions.not(held)), recorded, dir, DataStages.SFT));
    out.put(DataStages.EVAL_BENIGN, publish(DatasetKind.PROMPTS, asPrompts(sftRows.filter(held)), recorded, dir,
        DataStages.EVAL_BENIGN));
    // The asked prompts get their own column name: the anti-join's condition must name each side's column
    // unambiguously (two columns both called prompt cannot be told apart by col("prompt")).
    Dataset<Row> asked = sftRows.select(col(Columns.PROMPT).as(ASKED))
        .union(PublishedDataset.open(spark, preference.output()).rows().select(col(Columns.PROMPT).as(ASKED)))
        .distinct();
    Dataset<Row> harmfulRows = PublishedDataset.open(spark, harmful.output()).rows();
    Dataset<Row> unseen = harmfulRows
        .join(asked, harmfulRows.col(Columns.PROMPT).equalTo(asked.col(ASKED)), "left_anti")
        .withColumn(Columns.SPLIT, lit(Columns.SPLIT_TEST));
    out.put(DataStages.EVAL_HARMFUL, publish(DatasetKind.PROMPTS, unseen.select(columns(Columns.PROMPTS.fieldNames())),
        recorded, dir, DataStages.EVAL_HARMFUL));
    return out;
  }

  private JobSummary importSources(JsonNode sources, DatasetKind kind, String output) {
    List<SourceSpec> specs = new ArrayList<>();
    for (JsonNode s : sources) {
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

  private static ObjectNode summaries(JobSummary... jobs) {
    ObjectNode out = JSON.createObjectNode();
    for (JobSummary job : jobs) {
      out.putObject(job.output().substring(job.output().lastIndexOf('/') + 1)).put("rows", job.rows())
          .put("rejected", job.rejected()).put("fingerprint", job.fingerprint());
    }
    return out;
  }

  private static Column[] columns(String[] names) {
    return Arrays.stream(names).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
  }
}
