package io.stagewise.data.importer;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Stanford Alpaca (a JSON array of {@code {"instruction", "input", "output"}}) to SFT rows: the prompt is
 * the instruction, followed by a blank line and the input when the input is not empty; the response is the
 * output. {@code input} may be absent. Ids are {@code source:file:element-index}; rejected rows report the
 * line where the element starts.
 */
final class AlpacaImporter implements Importer {
  /** Between instruction and input, as in the Alpaca prompt template. */
  static final String INPUT_SEPARATOR = "\n\n";

  private final SourceSpec source;

  AlpacaImporter(SourceSpec source) {
    this.source = source;
  }

  @Override
  public ImportResult read(SparkSession spark) {
    List<String> files = InputFiles.resolve(spark.sparkContext().hadoopConfiguration(), source.name(), source.paths());
    SourceSpec src = source;
    JsonArrays.ElementParser parser = (element, file, index, line, damage) ->
        parseElement(src, element, file, index, line, damage);
    return ImportResult.oneRowPerRecord(DatasetKind.SFT,
        spark.createDataFrame(JsonArrays.read(spark, files, parser), ParsedRows.schema(DatasetKind.SFT)),
        ImportResult.ELEMENTS);
  }

  static Row parseElement(SourceSpec source, JsonNode element, String file, long index, long line, String damage) {
    try {
      RowRejection.requireUndamaged(damage);
      if (!element.isObject()) {
        throw new RowRejection("element " + index + " is not a JSON object");
      }
      String instruction = RowRejection.requireText(element, "instruction");
      String input = RowRejection.optionalText(element, "input");
      String output = RowRejection.requireText(element, "output");
      String prompt = input == null || input.isBlank() ? instruction : instruction + INPUT_SEPARATOR + input;
      RowRejection.requireNoMarker(prompt, "instruction/input");
      return ParsedRows.accepted(source, file, ParsedRows.id(source, InputFiles.fileName(file), index),
          prompt, output, null);
    } catch (RowRejection e) {
      return ParsedRows.rejected(DatasetKind.SFT, source, file, line, "element " + index + ": " + e.getMessage(),
          element.toString());
    }
  }
}
