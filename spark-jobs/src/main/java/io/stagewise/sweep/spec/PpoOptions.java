package io.stagewise.sweep.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.cli.TrainSpecs;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.train.ppo.KlEstimator;
import io.stagewise.trainer.train.ppo.PpoConfig;
import io.stagewise.trainer.train.ppo.ValueInit;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * PPO's own knobs from a sweep's {@code ppo} section, under TRL's names ({@code kl_coef}, {@code vf_coef}, ...),
 * every one resolved (the reference study's defaults for those the spec leaves out), kept as the JSON that enters
 * the PPO stage's key. The end token is the tokenizer's, so it is added only when the stage runs
 * ({@link #config(int)}).
 *
 * @param json every knob, snake_case, with its resolved value
 */
public record PpoOptions(ObjectNode json) {
  /** The section's PPO keys (its other keys are a {@code TrainConfig} overlay). */
  public static final Set<String> KEYS = Set.of("response_length", "temperature", "top_k", "missing_eos_penalty",
      "kl_coef", "kl_estimator", "whiten_rewards", "gamma", "lam", "num_ppo_epochs", "num_mini_batches",
      "cliprange", "cliprange_value", "vf_coef", "value_init", "value_lora");
  private static final String SECTION = "ppo";

  /** Reads the PPO keys of {@code node} (null: all defaults); each problem is recorded under {@code ppo.<key>}. */
  static PpoOptions read(JsonNode node, SpecFields fields, SpecCheck check) {
    PpoConfig d = PpoConfig.defaults(0);
    ObjectNode json = JsonNodeFactory.instance.objectNode()
        .put("response_length", fields.integer(node, SECTION, "response_length", d.responseLength(), 1))
        .put("temperature", fields.number(node, SECTION, "temperature", d.temperature(), 1e-6, 1e6))
        .put("top_k", fields.integer(node, SECTION, "top_k", d.topK(), 0))
        .put("kl_coef", fields.number(node, SECTION, "kl_coef", d.klCoef(), 0, 1e6))
        .put("kl_estimator", fields.text(node, SECTION, "kl_estimator", d.klEstimator().specName()))
        .put("whiten_rewards", bool(node, "whiten_rewards", d.whitenRewards(), check))
        .put("gamma", fields.number(node, SECTION, "gamma", d.gamma(), 0, 1))
        .put("lam", fields.number(node, SECTION, "lam", d.lam(), 0, 1))
        .put("num_ppo_epochs", fields.integer(node, SECTION, "num_ppo_epochs", d.numPpoEpochs(), 1))
        .put("num_mini_batches", fields.integer(node, SECTION, "num_mini_batches", d.numMiniBatches(), 1))
        .put("cliprange", fields.number(node, SECTION, "cliprange", d.cliprange(), 1e-9, 1e6))
        .put("cliprange_value", fields.number(node, SECTION, "cliprange_value", d.cliprangeValue(), 1e-9, 1e6))
        .put("vf_coef", fields.number(node, SECTION, "vf_coef", d.vfCoef(), 0, 1e6))
        .put("value_init", fields.text(node, SECTION, "value_init", d.valueInit().specName()));
    // An explicit null turns the penalty off (TRL's None); absent means the reference's 1.0.
    JsonNode penalty = node == null ? null : node.get("missing_eos_penalty");
    if (penalty != null && penalty.isNull()) {
      json.putNull("missing_eos_penalty");
    } else {
      json.put("missing_eos_penalty", fields.number(node, SECTION, "missing_eos_penalty", d.missingEosPenalty(),
          -1e6, 1e6));
    }
    // The value model's adapters (the policy's are the section's lora); absent stays out of the key.
    LoraConfig valueLora = TrainSpecs.lora(node == null ? null : node.get("value_lora"), SECTION + ".value_lora",
        check);
    if (valueLora != null) {
      json.set("value_lora", TrainSpecs.json(valueLora));
    }
    PpoOptions options = new PpoOptions(json);
    // Each enum on its own, so both are reported; then the trainer's own checks (a set drops repeats).
    List<Runnable> checks = List.of(() -> KlEstimator.fromName(json.get("kl_estimator").asText()),
        () -> ValueInit.fromName(json.get("value_init").asText()), () -> options.config(0));
    for (Runnable c : checks) {
      try {
        c.run();
      } catch (IllegalArgumentException e) {
        // The trainer names its fields ppo.camelCase; the spec's are snake_case.
        for (String problem : e.getMessage().split("; ")) {
          check.problem(snake(problem));
        }
      }
    }
    return options;
  }

  /** The trainer's configuration, with the tokenizer's end token as the stop token. */
  public PpoConfig config(int stopTokenId) {
    JsonNode penalty = json.get("missing_eos_penalty");
    return new PpoConfig(json.get("response_length").asInt(), json.get("temperature").asDouble(),
        json.get("top_k").asInt(), stopTokenId, penalty == null || penalty.isNull() ? null : penalty.asDouble(),
        json.get("kl_coef").asDouble(), KlEstimator.fromName(json.get("kl_estimator").asText()),
        json.get("whiten_rewards").asBoolean(), json.get("gamma").asDouble(), json.get("lam").asDouble(),
        json.get("num_ppo_epochs").asInt(), json.get("num_mini_batches").asInt(), json.get("cliprange").asDouble(),
        json.get("cliprange_value").asDouble(), json.get("vf_coef").asDouble(),
        ValueInit.fromName(json.get("value_init").asText()),
        json.has("value_lora") ? TrainSpecs.lora(json.get("value_lora"), SECTION + ".value_lora",
            new SpecCheck(SECTION)) : null);
  }

  private static boolean bool(JsonNode node, String key, boolean fallback, SpecCheck check) {
    JsonNode value = node == null ? null : node.get(key);
    if (value == null || value.isNull()) {
      return fallback;
    }
    check.require(value.isBoolean(), SECTION + "." + key, "must be true or false, got " + value);
    return value.isBoolean() ? value.asBoolean() : fallback;
  }

  /** {@code ppo.klEstimator: ...} to {@code ppo.kl_estimator: ...}. */
  private static String snake(String problem) {
    int colon = problem.indexOf(':');
    return colon < 0 ? problem
        : problem.substring(0, colon).replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT) + problem.substring(colon);
  }
}
