package io.stagewise.sweep.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.spec.YamlSpecs;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command-line edits of a spec tree: {@code path=value}, where the path is dotted keys with optional list
 * indices ({@code data.import.sft[0].paths}) and the value is YAML ({@code [1, 2]}, {@code 0.1}, text). They
 * let one checked-in spec point at local data or shrink a grid without copying the file.
 */
public final class SpecOverrides {
  private static final Pattern STEP = Pattern.compile("([A-Za-z0-9_\\-]+)((?:\\[\\d+])*)");
  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

  private SpecOverrides() {}

  /** Applies every assignment to {@code tree} in order; a malformed one fails naming it. */
  public static void apply(ObjectNode tree, List<String> assignments) {
    for (String assignment : assignments) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set " + assignment + ": expected PATH=VALUE");
      }
      JsonNode value = parseValue(assignment.substring(eq + 1));
      set(tree, assignment.substring(0, eq).trim(), value, assignment);
    }
  }

  private static JsonNode parseValue(String text) {
    JsonNode wrapped = YamlSpecs.parse("v: " + (text.isEmpty() ? "''" : text));
    return wrapped.get("v");
  }

  private static void set(ObjectNode tree, String path, JsonNode value, String assignment) {
    String[] steps = path.split("\\.");
    JsonNode node = tree;
    for (int s = 0; s < steps.length; s++) {
      Matcher m = STEP.matcher(steps[s]);
      if (!m.matches()) {
        throw new IllegalArgumentException("--set " + assignment + ": malformed path step '" + steps[s] + "'");
      }
      boolean last = s == steps.length - 1;
      List<Integer> indices = INDEX.matcher(m.group(2)).results().map(r -> Integer.parseInt(r.group(1))).toList();
      ObjectNode parent = (ObjectNode) node;
      if (last && indices.isEmpty()) {
        parent.set(m.group(1), value);
        return;
      }
      JsonNode child = parent.get(m.group(1));
      if (child == null || !(indices.isEmpty() ? child.isObject() : child.isArray())) {
        if (!indices.isEmpty()) {
          throw new IllegalArgumentException("--set " + assignment + ": " + m.group(1) + " is not a list");
        }
        child = parent.putObject(m.group(1));
      }
      for (int i = 0; i < indices.size(); i++) {
        if (!child.isArray() || indices.get(i) >= child.size()) {
          throw new IllegalArgumentException("--set " + assignment + ": index " + indices.get(i)
              + " is outside the list in " + steps[s]);
        }
        if (last && i == indices.size() - 1) {
          ((ArrayNode) child).set(indices.get(i), value);
          return;
        }
        child = child.get(indices.get(i));
      }
      if (!child.isObject()) {
        throw new IllegalArgumentException("--set " + assignment + ": " + steps[s] + " is not a mapping");
      }
      node = child;
    }
  }
}
