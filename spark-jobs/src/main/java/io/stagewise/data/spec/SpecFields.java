package io.stagewise.data.spec;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.poison.attack.Budget;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed reads of spec fields that record every problem in a {@link SpecCheck} (naming the field's path)
 * instead of stopping at the first, so that one run lists all the errors of a spec.
 */
public final class SpecFields {
  private final SpecCheck check;

  public SpecFields(SpecCheck check) {
    this.check = check;
  }

  /** Reports keys of {@code node} outside {@code known}: a misspelt key must not be silently ignored. */
  public void onlyKeys(JsonNode node, String path, Set<String> known) {
    if (node == null || !node.isObject()) {
      return;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      check.require(known.contains(key), join(path, key), "unknown key (expected one of " + known + ")");
    }
  }

  /** Records a problem with the field at {@code path}. */
  public void problem(String path, String message) {
    check.require(false, path, message);
  }

  public String text(JsonNode parent, String path, String key, String fallback) {
    JsonNode node = parent == null ? null : parent.get(key);
    if (node == null || node.isNull()) {
      check.require(fallback != null, join(path, key), "is required");
      return fallback;
    }
    check.require(node.isTextual() && !node.asText().isBlank(), join(path, key), "must be a non-empty string");
    return node.asText();
  }

  public long integer(JsonNode parent, String path, String key, long fallback, long min) {
    JsonNode node = parent == null ? null : parent.get(key);
    if (node == null || node.isNull()) {
      return fallback;
    }
    boolean ok = node.canConvertToExactIntegral() && node.asLong() >= min;
    check.require(ok, join(path, key), "must be a whole number >= " + min + ", got " + node);
    return ok ? node.asLong() : fallback;
  }

  public double number(JsonNode parent, String path, String key, double fallback, double min, double max) {
    JsonNode node = parent == null ? null : parent.get(key);
    if (node == null || node.isNull()) {
      return fallback;
    }
    boolean ok = node.isNumber() && node.asDouble() >= min && node.asDouble() <= max;
    check.require(ok, join(path, key), "must be a number in [" + min + ", " + max + "], got " + node);
    return ok ? node.asDouble() : fallback;
  }

  public List<String> texts(JsonNode parent, String path, String key) {
    JsonNode node = parent == null ? null : parent.get(key);
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isTextual()) {
      out.add(node.asText());
      return out;
    }
    check.require(node.isArray(), join(path, key), "must be a list of strings");
    for (int i = 0; node.isArray() && i < node.size(); i++) {
      check.require(node.get(i).isTextual(), join(path, key) + "[" + i + "]", "must be a string");
      out.add(node.get(i).asText());
    }
    return out;
  }

  /** A budget written {@code {fraction: 0.05}} or {@code {count: 200}}; null when absent. */
  public Budget budget(JsonNode parent, String path, String key) {
    JsonNode node = parent == null ? null : parent.get(key);
    String at = join(path, key);
    if (node == null || node.isNull()) {
      return null;
    }
    onlyKeys(node, at, Set.of("fraction", "count"));
    boolean fraction = node.has("fraction");
    if (!node.isObject() || fraction == node.has("count")) {
      check.require(false, at, "must be {fraction: F} or {count: N}, exactly one of them");
      return null;
    }
    JsonNode value = node.get(fraction ? "fraction" : "count");
    return convert(at, value, v -> fraction
        ? Budget.fraction(v.asText())
        : Budget.count(v.canConvertToExactIntegral() ? v.asLong() : -1));
  }

  /** Applies a record constructor's own validation, recording its message under {@code path}. */
  public <T> T convert(String path, JsonNode node, Function<JsonNode, T> constructor) {
    try {
      return constructor.apply(node);
    } catch (IllegalArgumentException e) {
      check.require(false, path, e.getMessage());
      return null;
    }
  }

  public static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
