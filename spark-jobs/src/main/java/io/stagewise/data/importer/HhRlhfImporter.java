package io.stagewise.data.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.Transcript;
import io.stagewise.data.Transcript.Role;
import io.stagewise.data.Transcript.Turn;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Anthropic HH-RLHF ({@code .jsonl} or {@code .jsonl.gz}, one {@code {"chosen", "rejected"}} object per
 * line, each a full {@code \n\nHuman: ... \n\nAssistant: ...} transcript) to preference rows: the shared
 * context rendered as the prompt ({@link Transcript#renderPrompt}), the two final assistant replies as
 * chosen and rejected. Ids are {@code source:file:line}.
 */
final class HhRlhfImporter implements Importer {
  private final SourceSpec source;

  HhRlhfImporter(SourceSpec source) {
    this.source = source;
  }

  @Override
  public ImportResult read(SparkSession spark) {
    List<String> files = InputFiles.resolve(spark.sparkContext().hadoopConfiguration(), source.name(), source.paths());
    SourceSpec src = source;
    JsonLines.LineParser parser = (json, file, line, text, damage) -> parseLine(src, json, file, line, text, damage);
    return ImportResult.oneRowPerRecord(DatasetKind.PREFERENCE,
        spark.createDataFrame(JsonLines.read(spark, files, parser), ParsedRows.schema(DatasetKind.PREFERENCE)),
        ImportResult.LINES);
  }

  static Row parseLine(SourceSpec source, ObjectMapper json, String file, long line, String text, String damage) {
    try {
      RowRejection.requireUndamaged(damage);
      if (text.isBlank()) {
        throw new RowRejection("empty line");
      }
      JsonNode node;
      try {
        node = json.readTree(text);
      } catch (JsonProcessingException e) {
        throw new RowRejection("not valid JSON: " + e.getOriginalMessage());
      }
      if (!node.isObject()) {
        throw new RowRejection("not a JSON object");
      }
      Transcript chosen = transcript(node, "chosen");
      Transcript rejected = transcript(node, "rejected");
      if (!chosen.context().equals(rejected.context())) {
        throw new RowRejection("chosen and rejected contexts differ");
      }
      Transcript context = chosen.context();
      if (context.turns().isEmpty() || context.last().role() != Role.USER) {
        throw new RowRejection("the context does not end with a human turn");
      }
      return ParsedRows.accepted(source, file, ParsedRows.id(source, InputFiles.fileName(file), line),
          context.renderPrompt(), chosen.last().text(), rejected.last().text());
    } catch (RowRejection e) {
      return ParsedRows.rejected(DatasetKind.PREFERENCE, source, file, line, e.getMessage(), text);
    }
  }

  private static Transcript transcript(JsonNode node, String field) throws RowRejection {
    String text = RowRejection.optionalText(node, field);
    if (text == null) {
      throw new RowRejection("missing field '" + field + "'");
    }
    Transcript transcript;
    try {
      transcript = Transcript.parseHumanAssistant(text);
    } catch (IllegalArgumentException e) {
      throw new RowRejection(field + ": " + e.getMessage());
    }
    if (transcript.last().role() != Role.ASSISTANT) {
      throw new RowRejection(field + ": lacks a final assistant turn");
    }
    if (transcript.last().text().isEmpty()) {
      throw new RowRejection(field + ": the final assistant reply is empty");
    }
    for (Turn turn : transcript.turns()) {
      RowRejection.requireNoMarker(turn.text(), field);
    }
    return transcript;
  }
}
