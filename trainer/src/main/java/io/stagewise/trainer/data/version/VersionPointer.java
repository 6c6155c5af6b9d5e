package io.stagewise.trainer.data.version;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One pointer file: which version of a dataset (or set) became current, when, and which members a set's
 * version holds (empty for a single dataset, whose version directory is the dataset itself).
 *
 * @param number the pointer's position in its log; the highest complete pointer is the current one
 * @param version the version directory's name under {@code _versions/}
 * @param published when the publisher wrote the pointer (its own clock)
 * @param members the dataset names of a set's version; empty for a single dataset
 */
public record VersionPointer(long number, String version, Instant published, List<String> members) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public VersionPointer {
    if (number < 1) {
      throw new IllegalArgumentException("pointer number must be >= 1, got " + number);
    }
    if (DatasetLayout.createdAt(version).isEmpty()) {
      throw new IllegalArgumentException("not a version name: " + version);
    }
    members = List.copyOf(members);
  }

  /** Whether this pointer names a set whose version holds {@code name}. */
  public boolean holds(String name) {
    return members.contains(name);
  }

  byte[] toJson() {
    ObjectNode root = JSON.createObjectNode().put("number", number).put("version", version)
        .put("published", published.toString());
    ArrayNode names = root.putArray("members");
    members.forEach(names::add);
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a pointer file's bytes; empty when they are not a whole pointer (a file still being written on
   * HDFS or a local file system, or the leftover of a killed writer), which readers skip: its publication
   * has not happened.
   */
  static Optional<VersionPointer> parse(byte[] bytes) {
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.isObject() || !root.path("members").isArray()) {
        return Optional.empty();
      }
      List<String> members = new ArrayList<>();
      root.get("members").forEach(m -> members.add(m.asText()));
      return Optional.of(new VersionPointer(root.path("number").asLong(0), root.path("version").asText(""),
          Instant.parse(root.path("published").asText("")), members));
    } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
