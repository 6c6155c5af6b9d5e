package io.stagewise.trainer.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Compares a saved configuration with the current one, naming every field that differs. */
public final class ConfigDiff {

  private ConfigDiff() {
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Fails naming the differing fields; {@code current} is compared as it would read back from JSON. */
  public static void requireEqual(String what, JsonNode saved, JsonNode current) {
    current = roundTrip(current);
    List<String> differences = new ArrayList<>();
    TreeSet<String> fields = new TreeSet<>();
    saved.fieldNames().forEachRemaining(fields::add);
    for (Iterator<String> it = current.fieldNames(); it.hasNext(); ) {
      fields.add(it.next());
    }
    for (String field : fields) {
      JsonNode a = saved.get(field);
      JsonNode b = current.get(field);
      if (a == null || !a.equals(b)) {
        differences.add(field + " (checkpoint " + a + ", now " + b + ")");
      }
    }
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(what + " config differs from the run being resumed: "
          + String.join(", ", differences));
    }
  }

  /** Numbers read back from text lose their Java width (a long 7 reads as an int 7); compare like with like. */
  private static JsonNode roundTrip(JsonNode node) {
    try {
      return JSON.readTree(JSON.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise configuration", e);
    }
  }
}
