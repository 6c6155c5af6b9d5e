package io.stagewise.data.importer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Why one input row is refused. Thrown while parsing a row and caught at the row's boundary, where it
 * becomes a rejected row; it never escapes an importer.
 */
final class RowRejection extends Exception {
  RowRejection(String reason) {
    super(reason, null, false, false);
  }

  /** Refuses a row its reader found damaged (invalid UTF-8, a broken record): {@code damage} says how. */
  static void requireUndamaged(String damage) throws RowRejection {
    if (damage != null) {
      throw new RowRejection(damage);
    }
  }

  /** The string value of {@code field}, which must be present, a string and not blank. */
  static String requireText(JsonNode node, String field) throws RowRejection {
    String value = optionalText(node, field);
    if (value == null) {
      throw new RowRejection("missing field '" + field + "'");
    }
    requireNotBlank(value, field);
    return value;
  }

  /** The string value of {@code field}, or null when absent or JSON null; a non-string is refused. */
  static String optionalText(JsonNode node, String field) throws RowRejection {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new RowRejection("field '" + field + "' is a " + value.getNodeType().name().toLowerCase()
          + ", not a string");
    }
    return value.textValue();
  }

  static void requireNotBlank(String value, String field) throws RowRejection {
    if (value == null) {
      throw new RowRejection("missing field '" + field + "'");
    }
    if (value.isBlank()) {
      throw new RowRejection("field '" + field + "' is empty");
    }
  }

  /** Refuses text that would forge a chat turn boundary once rendered into a prompt. */
  static void requireNoMarker(String value, String field) throws RowRejection {
    if (io.stagewise.data.Transcript.containsMarker(value)) {
      throw new RowRejection("field '" + field + "' contains a reserved role marker");
    }
  }
}
