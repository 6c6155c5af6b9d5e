package io.stagewise.sweep.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.JobSummary;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.data.tokenize.LmCorpusJob;
import io.stagewise.data.tokenize.LmCorpusSpec;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.poison.Columns;
import io.stagewise.poison.world.WorldConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code corpus} stage of a scaling sweep: text files, or the synthetic world's SFT examples written out as
 * text, cut by {@link LmCorpusJob} into one token dataset ({@value DataStages#TOKENS}) whose {@code train} rows
 * are trained on and whose {@code test} rows (the last blocks) every run evaluates on.
 */
final class LmCorpusStage {
  /** The {@code source} column and id prefix of the blocks. */
  static final String SOURCE = "corpus";
  private static final String WORLD = "world";
  private static final String WORLD_TEXT = "world-text";

  private final SparkSession spark;

  LmCorpusStage(SparkSession spark) {
    this.spark = spark;
  }

  JsonNode run(JsonNode config, String dir) {
    List<String> paths = new ArrayList<>();
    if (config.has("paths")) {
      config.get("paths").forEach(p -> paths.add(p.asText()));
    } else {
      paths.add(worldText(config.get("world"), dir));
    }
    TokenizerSpec tokenizer;
    try {
      tokenizer = ManifestCodec.mapper().treeToValue(config.get("tokenizer"), TokenizerSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stage config does not round-trip: " + e.getMessage(), e);
    }
    JobSummary blocks = LmCorpusJob.run(spark, new LmCorpusSpec(SOURCE, paths, dir + "/" + DataStages.TOKENS,
        tokenizer, config.get("block_size").asInt(), config.get("test_fraction").asDouble()));
    ObjectNode out = ManifestCodec.mapper().createObjectNode();
    out.put("token_rows", blocks.rows()).put("token_fingerprint", blocks.fingerprint());
    return out;
  }

  /**
   * Generates the world and writes its SFT examples (prompt, then response) as one text file, in id order so
   * the text, and hence the blocks, do not depend on the partitioning.
   */
  private String worldText(JsonNode w, String dir) {
    WorldConfig world = new WorldConfig(w.get("seed").asLong(), w.get("harmful_fraction").asDouble(),
        w.get("held_out_fraction").asDouble());
    // Only the SFT set is read; the other datasets are the generator's minimum of one row each.
    WorldSynthSpec spec = new WorldSynthSpec(dir + "/" + WORLD, world, w.get("rows").asLong(), 1, 1, 1);
    WorldSynthJob.run(spark, spec);
    String text = dir + "/" + WORLD_TEXT;
    PublishedDataset.open(spark, spec.dataset(WorldSynthSpec.SFT)).rows().orderBy(Columns.ID)
        .select(concat_ws("\n", col(Columns.PROMPT), col(Columns.RESPONSE))).coalesce(1)
        .write().mode(SaveMode.Overwrite).text(text);
    return text;
  }
}
