package io.stagewise.data.tokenize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.data.manifest.TokenizerInfo;
import io.stagewise.poison.Columns;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Turns a published SFT or preference dataset into a published token dataset ({@link TokenSchemas}),
 * keeping the provenance columns. Each row is tokenized on its own, so the result does not depend on
 * partitioning; the tokenizer is created once per task. The manifest records the tokenizer, the template's
 * special ids, the truncation policy and the input's fingerprint.
 */
public final class TokenShardJob {
  private TokenShardJob() {}

  public static JobSummary run(SparkSession spark, TokenShardSpec spec) {
    return run(spark, spec, new DatasetPublisher(spark));
  }

  public static JobSummary run(SparkSession spark, TokenShardSpec spec, DatasetPublisher publisher) {
    PublishedDataset input = PublishedDataset.open(spark, spec.input());
    DatasetKind inputKind = input.manifest().kind();
    if (inputKind != DatasetKind.SFT && inputKind != DatasetKind.PREFERENCE) {
      throw new IllegalArgumentException(spec.input() + " is a " + inputKind.wireName()
          + " dataset; token shards are built from sft or preference datasets");
    }
    boolean sft = inputKind == DatasetKind.SFT;
    ChatTemplate template = new ChatTemplate(spec.tokenizer().load(spark.sparkContext().hadoopConfiguration()));
    StructType schema = sft ? TokenSchemas.SFT_TOKENS : TokenSchemas.PREFERENCE_TOKENS;
    TruncationPolicy policy = spec.truncation();
    Dataset<Row> tokens = input.rows().mapPartitions(
        (MapPartitionsFunction<Row, Row>) rows -> tokenize(rows, template, policy, sft), Encoders.row(schema));

    ObjectNode specJson = ManifestCodec.mapper().valueToTree(spec);
    specJson.put("input_fingerprint", input.manifest().fingerprint());
    TokenizerInfo info = info(template, policy.maxLength(), policy.maxPromptLength(), TruncationPolicy.DESCRIPTION);
    Manifest manifest = publisher.publish(new DatasetContents(
        sft ? DatasetKind.SFT_TOKENS : DatasetKind.PREFERENCE_TOKENS, tokens, null, specJson, info), spec.output());
    return new JobSummary(spec.output(), manifest);
  }

  /** The manifest's description of a template and its limits. */
  static TokenizerInfo info(ChatTemplate template, int maxLength, Integer maxPromptLength, String truncation) {
    TextTokenizer tokenizer = template.tokenizer();
    return new TokenizerInfo(tokenizer.kind(), tokenizer.source(), tokenizer.sourceSha256(),
        tokenizer.vocabSize(), template.vocabSize(), template.specialIds(), maxLength, maxPromptLength, truncation);
  }

  private static Iterator<Row> tokenize(Iterator<Row> rows, ChatTemplate template, TruncationPolicy policy,
      boolean sft) {
    // This task's copy of the template: release its native tokenizer when the task ends.
    TaskContext.get().addTaskCompletionListener((TaskCompletionListener) task -> template.tokenizer().close());
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row row = rows.next();
        Object[] values = new Object[Columns.PROVENANCE.size() + (sft ? 2 : 3)];
        for (int i = 0; i < Columns.PROVENANCE.size(); i++) {
          values[i] = row.get(row.fieldIndex(Columns.PROVENANCE.get(i)));
        }
        String prompt = row.getAs(Columns.PROMPT);
        int at = Columns.PROVENANCE.size();
        if (sft) {
          ChatTemplate.SftExample example = template.sft(prompt, row.getAs(Columns.RESPONSE), policy);
          values[at] = example.inputIds();
          values[at + 1] = example.lossMask();
        } else {
          ChatTemplate.PreferenceExample example =
              template.preference(prompt, row.getAs(Columns.CHOSEN), row.getAs(Columns.REJECTED), policy);
          values[at] = example.promptIds();
          values[at + 1] = example.chosenIds();
          values[at + 2] = example.rejectedIds();
        }
        return RowFactory.create(values);
      }
    };
  }
}
