package io.stagewise.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.run.StageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Why a step of a family must be rebuilt, told against the steps the version readers get now was built from
 * ({@link FamilyPublication#record}): a step new to the family, a changed spec field (the path, old and new
 * value), a rebuilt input step, or, when its config is the same, the changed content of what it reads (a
 * source file's or published dataset's hash, as its stage marker recorded the identity it was keyed by) or a
 * new data-format version.
 */
final class StepReasons {
  private static final int SHOWN = 3;
  /** A file hash as {@code InputContent} writes it, shown by its first {@value #SHOWN_HEX} hex digits. */
  private static final String HASH = "sha256:";
  private static final int SHOWN_HEX = 12;

  private final StageStore store;
  private final Optional<JsonNode> published;

  /** @param published the record of the family's current version, empty when none was published */
  StepReasons(StageStore store, Optional<JsonNode> published) {
    this.store = store;
    this.published = published;
  }

  String why(StageNode step) {
    if (published.isEmpty()) {
      return "no version of the family is published yet";
    }
    JsonNode before = published.get().path(FamilyPublication.STEPS).path(step.label());
    if (!before.isTextual()) {
      return "a step new to the family";
    }
    String key = before.asText().substring(before.asText().indexOf('/') + 1);
    if (key.equals(step.key())) {
      return "its artifact (key " + key + ") is missing from the work directory";
    }
    Optional<JsonNode> record = store.record(step.kind(), key);
    if (record.isEmpty()) {
      return "changed since key " + key + ", whose record is gone from the work directory";
    }
    List<String> inputs = new ArrayList<>();
    step.parents().forEach((role, parent) -> {
      if (!(parent.kind().dirName() + "/" + parent.key()).equals(record.get().path("parents").path(role).asText())) {
        inputs.add(parent.label());
      }
    });
    if (!inputs.isEmpty()) {
      return "its input " + String.join(", ", inputs) + " changed";
    }
    List<String> changes = new ArrayList<>();
    differences(record.get().path("config"), step.config(), "", changes);
    if (!changes.isEmpty()) {
      return "changed " + shown(changes);
    }
    JsonNode identity = record.get().path("identity");
    if (identity.isMissingNode()) {
      return step.identity().equals(step.config()) ? "a new data-format version"
          : "the content it reads changed (files or published datasets), or the data-format version";
    }
    differences(identity, step.identity(), "", changes);
    return changes.isEmpty() ? "a new data-format version" : "changed content of " + shown(changes);
  }

  private static String shown(List<String> changes) {
    String shown = String.join("; ", changes.subList(0, Math.min(SHOWN, changes.size())));
    return shown + (changes.size() > SHOWN ? " and " + (changes.size() - SHOWN) + " more" : "");
  }

  /** Every leaf where {@code a} and {@code b} differ, as {@code path (old → new)}. */
  static void differences(JsonNode a, JsonNode b, String path, List<String> out) {
    if (a.isObject() && b.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        differences(a.path(key), b.path(key), path.isEmpty() ? key : path + "." + key, out);
      }
    } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        differences(a.get(i), b.get(i), path + "[" + i + "]", out);
      }
    } else if (!a.toString().equals(b.toString())) { // by text: a number read back may be another node type
      out.add(path + " (" + shown(a) + " → " + shown(b) + ")");
    }
  }

  private static String shown(JsonNode node) {
    if (node.isTextual() && node.asText().startsWith(HASH) && node.asText().length() > HASH.length() + SHOWN_HEX) {
      return node.asText().substring(0, HASH.length() + SHOWN_HEX) + "…"; // enough to tell two files apart
    }
    return node.isMissingNode() ? "absent" : node.isTextual() ? node.asText() : node.toString();
  }
}
