package io.stagewise.data.importer;

import io.stagewise.data.DatasetKind;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * AdvBench {@code harmful_behaviors.csv} ({@code goal,target}) to a prompt set: prompt = goal,
 * reference = target (the "Sure, here is ..." completion the attack aims for). Both must be present and
 * non-empty. Ids are {@code source:file:record-number}.
 */
final class AdvBenchImporter implements Importer {
  static final String GOAL = "goal";
  static final String TARGET = "target";

  private final SourceSpec source;

  AdvBenchImporter(SourceSpec source) {
    this.source = source;
  }

  @Override
  public ImportResult read(SparkSession spark) {
    List<String> files = InputFiles.resolve(spark.sparkContext().hadoopConfiguration(), source.name(), source.paths());
    SourceSpec src = source;
    CsvRecords.RecordParser parser = (record, file) -> parseRecord(src, record, file);
    return ImportResult.oneRowPerRecord(DatasetKind.PROMPTS, spark.createDataFrame(
        CsvRecords.read(spark, files, List.of(GOAL, TARGET), parser), ParsedRows.schema(DatasetKind.PROMPTS)),
        ImportResult.RECORDS);
  }

  static Row parseRecord(SourceSpec source, CsvRecords.Record record, String file) {
    try {
      String goal = record.require(GOAL);
      String target = record.require(TARGET);
      RowRejection.requireNoMarker(goal, GOAL);
      return ParsedRows.accepted(source, file, ParsedRows.id(source, InputFiles.fileName(file), record.number()),
          goal, target);
    } catch (RowRejection e) {
      return ParsedRows.rejected(DatasetKind.PROMPTS, source, file, record.line(), e.getMessage(), record.raw());
    }
  }
}
