package io.stagewise.trainer.interop;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Hugging Face {@code config.json}, collecting every problem (each naming its field) so an import lists
 * them all at once. Absent optional fields take the defaults {@code transformers} gives them.
 */
final class ConfigJson {

  private final JsonNode root;
  private final String source;
  private final List<String> problems = new ArrayList<>();

  ConfigJson(JsonNode root, String source) {
    this.root = root;
    this.source = source;
  }

  JsonNode root() {
    return root;
  }

  /** A required positive integer. */
  int count(String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.canConvertToInt() || node.asInt() <= 0) {
      problems.add(field + " must be a positive integer, got " + node);
      return 1;
    }
    return node.asInt();
  }

  /** An optional positive integer; {@code fallback} when absent or null. */
  int count(String field, int fallback) {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? fallback : count(field);
  }

  double number(String field, double fallback) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isNumber()) {
      problems.add(field + " must be a number, got " + node);
      return fallback;
    }
    return node.asDouble();
  }

  boolean flag(String field, boolean fallback) {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? fallback : node.asBoolean();
  }

  String text(String field, String fallback) {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? fallback : node.asText();
  }

  /** Records a problem unless {@code ok}: {@code field} holds something Stagewise cannot compute. */
  void require(boolean ok, String field, String why) {
    if (!ok) {
      problems.add(field + " = " + root.get(field) + ": " + why);
    }
  }

  /** Fails with every problem recorded, the file named once. */
  void validate() {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(source + ": " + String.join("; ", problems));
    }
  }
}
