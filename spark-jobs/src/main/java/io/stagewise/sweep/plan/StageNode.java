package io.stagewise.sweep.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.ContentDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stage of a sweep's DAG. Its {@link #key} is a hash of its kind, its identity (its own resolved
 * configuration with every outside input named by content, {@link InputContent}, not by location), the
 * data-format version for data stages, and its parents' keys (by role). So equal work has equal keys: shared
 * prefixes are built once and a finished stage is found again on rerun, while changing any input, its content
 * or the data plane's format changes the keys of the stage and all its descendants.
 *
 * @param kind what the stage does
 * @param label a short human-readable name (logs, progress)
 * @param config everything the stage itself needs, as JSON, input locations included
 * @param identity what the key hashes of it: {@code config} with every outside input named by content
 * @param parents the stages whose artifacts it reads, by role
 * @param key 16 hex digits of SHA-256
 */
public record StageNode(StageKind kind, String label, ObjectNode config, ObjectNode identity,
    Map<String, StageNode> parents, String key) {

  public StageNode {
    parents = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parents));
  }

  /** A stage whose config names no outside input: the config is its identity. */
  public static StageNode of(StageKind kind, String label, ObjectNode config, Map<String, StageNode> parents) {
    return of(kind, label, config, config, parents, InputContent.DATA_FORMAT_VERSION);
  }

  /**
   * A stage keyed by {@code identity}: {@code config} with input locations replaced by their content.
   *
   * @param dataFormatVersion part of the key of data stages ({@link InputContent#DATA_FORMAT_VERSION})
   */
  public static StageNode of(StageKind kind, String label, ObjectNode config, ObjectNode identity,
      Map<String, StageNode> parents, int dataFormatVersion) {
    return new StageNode(kind, label, config, identity, parents, key(kind, identity, parents, dataFormatVersion));
  }

  /** The parent in {@code role}; fails naming the role when the plan has none (a planning bug). */
  public StageNode parent(String role) {
    StageNode p = parents.get(role);
    if (p == null) {
      throw new IllegalStateException(kind + " stage " + label + " has no '" + role + "' parent");
    }
    return p;
  }

  static String key(StageKind kind, ObjectNode identity, Map<String, StageNode> parents, int dataFormatVersion) {
    StringBuilder text = new StringBuilder(kind.name()).append('\n');
    if (!kind.isTraining()) {
      text.append("data_format=").append(dataFormatVersion).append('\n');
    }
    canonical(identity, text);
    new TreeMap<>(parents).forEach((role, p) -> text.append('\n').append(role).append('=').append(p.key()));
    return ContentDigest.shortHex(text.toString());
  }

  /** JSON with object keys sorted, so the key does not depend on the order fields were put in. */
  static void canonical(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      node.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
        out.append(first ? "" : ",").append(com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey()))
            .append(':');
        canonical(e.getValue(), out);
        first = false;
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        out.append(i == 0 ? "" : ",");
        canonical(node.get(i), out);
      }
      out.append(']');
    } else {
      out.append(node.toString());
    }
  }
}
