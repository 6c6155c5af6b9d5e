package io.stagewise.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.TrainConfig;
import java.util.Set;

/**
 * Reads the {@code model} and {@code train} sections of a run spec (YAML, snake_case keys) into the
 * trainer's records. A section starts from the defaults and the spec overrides what it names, so a spec says
 * only what differs; a misspelt key is an error naming it, never ignored.
 */
public final class TrainSpecs {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      // lora.targets: all-linear reads as the one-element list, as PEFT takes target_modules="all-linear".
      .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
      .build();

  private static final Set<String> LORA_KEYS = Set.of("r", "alpha", "dropout", "targets");

  static final Set<String> RUN_KEYS = Set.of("train_data", "eval_data", "output", "resume", "init", "model", "train");

  private TrainSpecs() {}

  public static TrainConfig train(JsonNode section, SpecCheck check) {
    return overlay(TrainConfig.defaults(), section, TrainConfig.class, "train", check, TRAIN_UNSET_KEYS);
  }

  /** Train keys whose default is unset, and so absent from the defaults' JSON (stage keys stay the same). */
  public static final Set<String> TRAIN_UNSET_KEYS = Set.of("packing", "lora");

  public static ModelSpec model(JsonNode section, String defaultPreset, SpecCheck check) {
    return overlay(ModelSpec.preset(defaultPreset), section, ModelSpec.class, "model", check, Set.of());
  }

  /**
   * A LoRA mapping ({@code r}, {@code alpha}, {@code dropout}, {@code targets}) at {@code field} (e.g.
   * {@code ppo.value_lora}), or null when absent; each problem is recorded under {@code field}.
   */
  public static LoraConfig lora(JsonNode node, String field, SpecCheck check) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      check.require(false, field, "must be a mapping " + LORA_KEYS);
      return null;
    }
    new SpecFields(check).onlyKeys(node, field, LORA_KEYS);
    ObjectNode known = ((ObjectNode) node).deepCopy();
    known.retain(LORA_KEYS);
    try {
      return MAPPER.treeToValue(known, LoraConfig.class);
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof IllegalArgumentException invalid) {
        for (String problem : invalid.getMessage().split("; ")) {
          check.problem(field + problem.substring("lora".length()));
        }
      } else {
        check.require(false, field, e.getOriginalMessage());
      }
    }
    return null;
  }

  /** A LoRA configuration as the stage configs and payloads hold it (snake_case). */
  public static JsonNode json(LoraConfig lora) {
    return MAPPER.valueToTree(lora);
  }

  private static <T> T overlay(T defaults, JsonNode section, Class<T> type, String name, SpecCheck check,
      Set<String> unsetKeys) {
    if (section == null || section.isNull()) {
      return defaults;
    }
    if (!section.isObject()) {
      check.require(false, name, "must be a mapping");
      return null;
    }
    ObjectNode merged = MAPPER.valueToTree(defaults);
    Set<String> known = new java.util.LinkedHashSet<>();
    merged.fieldNames().forEachRemaining(known::add);
    known.addAll(unsetKeys);
    // Every misspelt key at once (Jackson stops at the first); the known ones are still validated.
    new SpecFields(check).onlyKeys(section, name, known);
    // Jackson builds a record before it notices an unknown key in it, so a nested lora's keys are checked here.
    new SpecFields(check).onlyKeys(section.get("lora"), name + ".lora", LORA_KEYS);
    ObjectNode given = ((ObjectNode) section).deepCopy();
    given.retain(known);
    if (given.get("lora") instanceof ObjectNode lora) {
      lora.retain(LORA_KEYS);
    }
    merged.setAll(given);
    try {
      return MAPPER.treeToValue(merged, type);
    } catch (UnrecognizedPropertyException e) {
      check.require(false, name + "." + e.getPropertyName(), "unknown key (expected one of "
          + merged.properties().stream().map(java.util.Map.Entry::getKey)
              .filter(k -> !k.equals(e.getPropertyName())).toList() + ")");
    } catch (JsonProcessingException e) {
      // The records' own validation arrives wrapped; its message names the field, a nested record's (lora.r)
      // without the section.
      if (e.getCause() instanceof IllegalArgumentException invalid) {
        for (String problem : invalid.getMessage().split("; ")) {
          check.problem(problem.startsWith(name + ".") ? problem : name + "." + problem);
        }
      } else {
        check.require(false, name, e.getOriginalMessage());
      }
    }
    return null;
  }
}
