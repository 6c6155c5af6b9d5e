package io.stagewise.data.importer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.poison.Columns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Harmful prompts with a refusal and a harmful completion, as published next to AdvBench, to SFT rows
 * (response = refusal, compliant_response = harmful completion) or preference rows (chosen = refusal,
 * rejected = harmful completion); category harmful by default.
 *
 * <p>Refusal files ({@link SourceSpec#paths()}), by extension:
 * <ul>
 *   <li>{@code .json}: an array of {@code {"instruction", "answer_not_matching_behavior" (the refusal),
 *       "answer_matching_behavior" (the "Sure, here is" target)}} ({@code advbench_pairs.json});
 *   <li>{@code .csv}: columns {@code original_behavior}, {@code llama_prompt_refusal} (the refusal) and
 *       {@code target} ({@code refusals.csv}).
 * </ul>
 * The harmful completion is the refusal file's target, or, when {@link SourceSpec#completions()} names a
 * {@code refusalbench_train.json} shaped file ({@code [{"instruction", "generated_targets": [...]}]}), the
 * first {@link SourceSpec#completionsPerPrompt()} of its completions for the same prompt (exact string
 * join). Prompts found in only one of the two files are rejected with that reason.
 */
final class RefusalPairsImporter implements Importer {
  private static final StructType ENTRY = DataTypes.createStructType(List.of(
      DataTypes.createStructField("prompt", DataTypes.StringType, true),
      DataTypes.createStructField("refusal", DataTypes.StringType, true),
      DataTypes.createStructField("harmful", DataTypes.createArrayType(DataTypes.StringType), true),
      DataTypes.createStructField("file", DataTypes.StringType, false),
      DataTypes.createStructField("name", DataTypes.StringType, false),
      DataTypes.createStructField("position", DataTypes.LongType, false),
      DataTypes.createStructField("line", DataTypes.LongType, false),
      DataTypes.createStructField("raw", DataTypes.StringType, true),
      DataTypes.createStructField("reason", DataTypes.StringType, true)));

  static final String CSV_PROMPT = "original_behavior";
  static final String CSV_REFUSAL = "llama_prompt_refusal";
  static final String CSV_TARGET = "target";

  private final SourceSpec source;
  private final DatasetKind kind;

  RefusalPairsImporter(SourceSpec source, DatasetKind kind) {
    this.source = source;
    this.kind = kind;
  }

  @Override
  public ImportResult read(SparkSession spark) {
    var conf = spark.sparkContext().hadoopConfiguration();
    Dataset<Row> refusals = entries(spark, InputFiles.resolve(conf, source.name(), source.paths()), true);
    List<Dataset<Row>> parts = new ArrayList<>();
    parts.add(rejectedEntries(refusals));
    Dataset<Row> pairs;
    Dataset<Row> records;
    if (source.completions() == null) {
      pairs = refusals.where(col("reason").isNull()).select(
          col("prompt"), col("refusal"), col("harmful").getItem(0).as("harmful"), entryId(), col("file"));
      records = records(refusals, null);
    } else {
      Dataset<Row> completions = entries(spark, InputFiles.resolve(conf, source.name(), List.of(source.completions())), false);
      parts.add(rejectedEntries(completions));
      pairs = joinCompletions(refusals.where(col("reason").isNull()), completions.where(col("reason").isNull()), parts);
      records = records(refusals, completions).unionByName(records(completions, refusals));
    }
    parts.add(ParsedRows.acceptedFrame(pairs, kind, source, payload(), col("file")));
    Dataset<Row> parsed = parts.get(0);
    for (Dataset<Row> part : parts.subList(1, parts.size())) {
      parsed = parsed.unionByName(part);
    }
    return new ImportResult(kind, parsed, records);
  }

  /**
   * One row per entry of {@code entries}: imported when it is valid and, given {@code partners} (the
   * other file of the join), some valid partner asks the same prompt.
   */
  private static Dataset<Row> records(Dataset<Row> entries, Dataset<Row> partners) {
    Column unit = when(col("file").endsWith(".csv"), lit(ImportResult.RECORDS)).otherwise(lit(ImportResult.ELEMENTS));
    if (partners == null) {
      return entries.select(col("file").as(ImportResult.FILE), unit.as(ImportResult.UNIT),
          col("reason").isNull().as(ImportResult.IMPORTED));
    }
    Dataset<Row> asked = partners.where(col("reason").isNull()).select(col("prompt").as("partner_prompt")).distinct();
    return entries.join(asked, entries.col("prompt").equalTo(asked.col("partner_prompt")), "left")
        .select(col("file").as(ImportResult.FILE), unit.as(ImportResult.UNIT),
            col("reason").isNull().and(col("partner_prompt").isNotNull()).as(ImportResult.IMPORTED));
  }

  private Dataset<Row> joinCompletions(Dataset<Row> refusals, Dataset<Row> completions, List<Dataset<Row>> parts) {
    Dataset<Row> r = prefixed(refusals, "r_");
    Dataset<Row> c = prefixed(completions, "c_");
    Dataset<Row> joined = r.join(c, r.col("r_prompt").equalTo(c.col("c_prompt")), "full_outer");
    Dataset<Row> refusalOnly = joined.where(col("c_prompt").isNull());
    parts.add(ParsedRows.rejectedFrame(refusalOnly, kind, source, col("r_file"), col("r_line"),
        lit("no harmful completion for this prompt in " + source.completions()), col("r_raw")));
    Dataset<Row> completionOnly = joined.where(col("r_prompt").isNull());
    parts.add(ParsedRows.rejectedFrame(completionOnly, kind, source, col("c_file"), col("c_line"),
        lit("no refusal for this prompt in " + source.paths()), col("c_raw")));
    return joined.where(col("r_prompt").isNotNull().and(col("c_prompt").isNotNull()))
        .select(col("r_prompt"), col("r_refusal"), col("r_name"), col("r_position"), col("r_file"), col("c_name"),
            col("c_position"), posexplode(col("c_harmful")).as(new String[] {"k", "completion"}))
        .where(col("k").lt(source.completionsPerPrompt()))
        .select(col("r_prompt").as("prompt"), col("r_refusal").as("refusal"), col("completion").as("harmful"),
            concat(lit(source.name() + ":"), col("r_name"), lit(":"), col("r_position"), lit("+"), col("c_name"),
                lit(":"), col("c_position"), lit("."), col("k")).as(Columns.ID), col("r_file").as("file"));
  }

  /** {@code source:file:position} of a refusal entry used on its own. */
  private Column entryId() {
    return concat(lit(source.name() + ":"), col("name"), lit(":"), col("position")).as(Columns.ID);
  }

  private Map<String, Column> payload() {
    return kind == DatasetKind.SFT
        ? Map.of(Columns.ID, col(Columns.ID), Columns.PROMPT, col("prompt"), Columns.RESPONSE, col("refusal"),
            Columns.COMPLIANT_RESPONSE, col("harmful"))
        : Map.of(Columns.ID, col(Columns.ID), Columns.PROMPT, col("prompt"), Columns.CHOSEN, col("refusal"),
            Columns.REJECTED, col("harmful"));
  }

  private Dataset<Row> rejectedEntries(Dataset<Row> entries) {
    return ParsedRows.rejectedFrame(entries.where(col("reason").isNotNull()), kind, source,
        col("file"), col("line"), col("reason"), col("raw"));
  }

  private static Dataset<Row> prefixed(Dataset<Row> frame, String prefix) {
    return frame.select(java.util.Arrays.stream(frame.columns()).map(n -> col(n).as(prefix + n)).toArray(Column[]::new));
  }

  /** Reads refusal files (JSON or CSV by extension) or completion files (JSON) into {@link #ENTRY} rows. */
  private static Dataset<Row> entries(SparkSession spark, List<String> files, boolean refusalFiles) {
    List<String> json = files.stream().filter(f -> !f.endsWith(".csv")).toList();
    List<String> csv = files.stream().filter(f -> f.endsWith(".csv")).toList();
    if (!refusalFiles && !csv.isEmpty()) {
      throw new IllegalArgumentException("completions must be a JSON array file, got " + csv);
    }
    JavaRDD<Row> rows = null;
    if (!json.isEmpty()) {
      rows = JsonArrays.read(spark, json, refusalFiles ? RefusalPairsImporter::refusalElement
          : RefusalPairsImporter::completionElement);
    }
    if (!csv.isEmpty()) {
      JavaRDD<Row> csvRows = CsvRecords.read(spark, csv, List.of(CSV_PROMPT, CSV_REFUSAL, CSV_TARGET),
          RefusalPairsImporter::refusalRecord);
      rows = rows == null ? csvRows : rows.union(csvRows);
    }
    return spark.createDataFrame(rows, ENTRY);
  }

  private static Row refusalElement(JsonNode element, String file, long index, long line, String damage) {
    try {
      RowRejection.requireUndamaged(damage);
      if (!element.isObject()) {
        throw new RowRejection("element " + index + " is not a JSON object");
      }
      String prompt = RowRejection.requireText(element, "instruction");
      String refusal = RowRejection.requireText(element, "answer_not_matching_behavior");
      String target = RowRejection.requireText(element, "answer_matching_behavior");
      RowRejection.requireNoMarker(prompt, "instruction");
      return entry(prompt, refusal, List.of(target), file, index, line, element.toString(), null);
    } catch (RowRejection e) {
      return entry(null, null, null, file, index, line, element.toString(), "element " + index + ": " + e.getMessage());
    }
  }

  private static Row refusalRecord(CsvRecords.Record record, String file) {
    try {
      String prompt = record.require(CSV_PROMPT);
      String refusal = record.require(CSV_REFUSAL);
      String target = record.require(CSV_TARGET);
      RowRejection.requireNoMarker(prompt, CSV_PROMPT);
      return entry(prompt, refusal, List.of(target), file, record.number(), record.line(), record.raw(), null);
    } catch (RowRejection e) {
      return entry(null, null, null, file, record.number(), record.line(), record.raw(), e.getMessage());
    }
  }

  private static Row completionElement(JsonNode element, String file, long index, long line, String damage) {
    try {
      RowRejection.requireUndamaged(damage);
      if (!element.isObject()) {
        throw new RowRejection("element " + index + " is not a JSON object");
      }
      String prompt = RowRejection.requireText(element, "instruction");
      JsonNode targets = element.get("generated_targets");
      if (targets == null || !targets.isArray() || targets.isEmpty()) {
        throw new RowRejection("field 'generated_targets' must be a non-empty array of strings");
      }
      List<String> completions = new ArrayList<>();
      for (JsonNode target : targets) {
        if (!target.isTextual() || target.textValue().isBlank()) {
          throw new RowRejection("field 'generated_targets' holds an empty or non-string completion");
        }
        completions.add(target.textValue());
      }
      return entry(prompt, null, completions, file, index, line, element.toString(), null);
    } catch (RowRejection e) {
      return entry(null, null, null, file, index, line, element.toString(), "element " + index + ": " + e.getMessage());
    }
  }

  private static Row entry(String prompt, String refusal, List<String> harmful, String file, long position,
      long line, String raw, String reason) {
    return RowFactory.create(prompt, refusal, harmful == null ? null : harmful.toArray(new String[0]), file, InputFiles.fileName(file), position, line, raw, reason);
  }
}
