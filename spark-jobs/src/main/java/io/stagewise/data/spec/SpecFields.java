package io.stagewise.data.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.poison.attack.Budget;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Typed reads of spec fields that record every problem in a {@link SpecCheck} (naming the field's path)
 * instead of stopping at the first, so that one run lists all the errors of a spec.
 */
public final class SpecFields {
  private final SpecCheck check;

  public SpecFields(SpecCheck check) {
    this.check = check;
  }

  /** Records {@code field: message} when {@code ok} is false. */
  public void require(boolean ok, String field, String message) {
    check.require(ok, field, message);
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

  /**
   * Binds the mapping {@code node} to the record {@code type} (keys as its {@link JsonProperty} names).
   * Unknown keys are all reported under {@code path} and left out, so that the record's own validation
   * still runs and its problems are listed beside them; type errors name the field Jackson stopped at.
   * Returns null when anything was wrong.
   */
  public <T extends Record> T bind(JsonNode node, String path, Class<T> type) {
    if (node == null || !node.isObject()) {
      check.require(false, path.isEmpty() ? "spec" : path, "must be a mapping");
      return null;
    }
    Set<String> known = recordKeys(type);
    onlyKeys(node, path, known);
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    copy.retain(known);
    try {
      return ManifestCodec.mapper().treeToValue(copy, type);
    } catch (JsonMappingException e) {
      IllegalArgumentException invalid = invalidCause(e);
      String field = join(path, jacksonPath(e));
      if (invalid != null) {
        flatten(jacksonPath(e).isEmpty() ? path : field, invalid);
      } else {
        check.require(false, field.isEmpty() ? "spec" : field, e.getOriginalMessage());
      }
    } catch (JsonProcessingException e) {
      check.require(false, path.isEmpty() ? "spec" : path, e.getOriginalMessage());
    }
    return null;
  }

  /** The spec keys of a record: each component's {@link JsonProperty} name, or its own name. */
  public static Set<String> recordKeys(Class<? extends Record> type) {
    Set<String> keys = new LinkedHashSet<>();
    for (RecordComponent component : type.getRecordComponents()) {
      JsonProperty property = component.getAnnotation(JsonProperty.class);
      if (property == null && component.getAccessor().getAnnotation(JsonProperty.class) != null) {
        property = component.getAccessor().getAnnotation(JsonProperty.class);
      }
      keys.add(property == null || property.value().isEmpty() ? component.getName() : property.value());
    }
    return keys;
  }

  /**
   * Builds a record whose own {@link SpecCheck} lists "field: message" lines, and records each under
   * {@code section}; null when it refused.
   */
  public <T> T flattened(String section, Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      flatten(section, e);
      return null;
    }
  }

  private void flatten(String section, IllegalArgumentException e) {
    List<String> lines = e.getMessage().lines().filter(l -> l.startsWith("  - ")).toList();
    if (lines.isEmpty()) {
      check.require(false, section.isEmpty() ? "spec" : section, e.getMessage());
    }
    lines.forEach(l -> check.problem(join(section, l.substring(4))));
  }

  private static IllegalArgumentException invalidCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException invalid) {
        return invalid;
      }
    }
    return null;
  }

  /** Jackson's path to the value it stopped at, written as spec paths are: {@code sources[1].paths}. */
  private static String jacksonPath(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
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
