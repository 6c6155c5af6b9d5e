package io.stagewise.data.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.poison.world.WorldConfig;

/**
 * What {@code data synth} generates: the synthetic safety world's datasets under one output root.
 *
 * @param output root URI; the datasets are published under it as {@code sft}, {@code preference},
 *     {@code ppo-prompts}, {@code eval-harmful}, {@code eval-benign} and {@code eval-preference}
 * @param world seed and mix of the world
 * @param sftRows rows of the SFT set
 * @param preferenceRows pairs of the preference set
 * @param promptRows prompts of the PPO prompt set
 * @param evalRows prompts of each held-out evaluation set (harmful, benign) and pairs of the held-out
 *     preference set
 */
public record WorldSynthSpec(
    String output, WorldConfig world, long sftRows, long preferenceRows, long promptRows, long evalRows) {

  public WorldSynthSpec {
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException("output: is required");
    }
    if (world == null) {
      throw new IllegalArgumentException("world: is required");
    }
    requirePositive("sft_rows", sftRows);
    requirePositive("preference_rows", preferenceRows);
    requirePositive("prompt_rows", promptRows);
    requirePositive("eval_rows", evalRows);
  }

  /** The dataset names under {@link #output()}. */
  public static final String SFT = "sft";
  public static final String PREFERENCE = "preference";
  public static final String PPO_PROMPTS = "ppo-prompts";
  public static final String EVAL_HARMFUL = "eval-harmful";
  public static final String EVAL_BENIGN = "eval-benign";
  public static final String EVAL_PREFERENCE = "eval-preference";

  /** The URI of one of the world's datasets. */
  public String dataset(String name) {
    return output.replaceAll("/+$", "") + "/" + name;
  }

  /** The spec as recorded in each manifest. */
  public JsonNode toJson() {
    ObjectNode node = new ObjectMapper().createObjectNode();
    node.put("job", "synth");
    node.put("seed", world.seed());
    node.put("harmful_fraction", world.harmfulFraction());
    node.put("held_out_fraction", world.heldOutFraction());
    node.put("sft_rows", sftRows);
    node.put("preference_rows", preferenceRows);
    node.put("prompt_rows", promptRows);
    node.put("eval_rows", evalRows);
    return node;
  }

  private static void requirePositive(String field, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + ": must be positive, got " + value);
    }
  }
}
