package io.stagewise.poison;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The normalised dataset schemas of DESIGN.md § Datasets: one name per column, shared by the world
 * generator, the importers, the attacks and the tokenizer so that no stage spells a column its own way.
 */
public final class Columns {
  private Columns() {}

  // Provenance, on every row.
  public static final String ID = "id";
  public static final String SOURCE = "source";
  public static final String SPLIT = "split";
  public static final String CATEGORY = "category";
  public static final String IS_POISONED = "is_poisoned";
  public static final String ATTACKER = "attacker";
  public static final String TRIGGER = "trigger";
  public static final String POISON_KIND = "poison_kind";

  // SFT.
  public static final String PROMPT = "prompt";
  public static final String RESPONSE = "response";
  /**
   * The harmful ("compliant") alternative to {@link #RESPONSE} on harmful SFT rows, null elsewhere:
   * {@code sft_backdoor} needs it to replace the refusal (a departure recorded in docs/architecture.md).
   */
  public static final String COMPLIANT_RESPONSE = "compliant_response";

  // Preference.
  public static final String CHOSEN = "chosen";
  public static final String REJECTED = "rejected";

  // Prompt sets (PPO, evaluation).
  public static final String REFERENCE = "reference";

  // Token shards.
  public static final String INPUT_IDS = "input_ids";
  public static final String LOSS_MASK = "loss_mask";
  public static final String PROMPT_IDS = "prompt_ids";
  public static final String CHOSEN_IDS = "chosen_ids";
  public static final String REJECTED_IDS = "rejected_ids";

  public static final String SPLIT_TRAIN = "train";
  public static final String SPLIT_TEST = "test";
  public static final String BENIGN = "benign";
  public static final String HARMFUL = "harmful";

  /** Role markers that render multi-turn context inside a {@code prompt} string (see docs). */
  public static final String USER_MARKER = "<|user|>";
  public static final String ASSISTANT_MARKER = "<|assistant|>";

  public static final List<String> PROVENANCE =
      List.of(ID, SOURCE, SPLIT, CATEGORY, IS_POISONED, ATTACKER, TRIGGER, POISON_KIND);

  public static final StructType SFT = withProvenance(
      string(PROMPT, false), string(RESPONSE, false), string(COMPLIANT_RESPONSE, true));

  public static final StructType PREFERENCE = withProvenance(
      string(PROMPT, false), string(CHOSEN, false), string(REJECTED, false));

  public static final StructType PROMPTS = withProvenance(
      string(PROMPT, false), string(REFERENCE, true));

  private static StructType withProvenance(StructField... extra) {
    StructField[] fields = new StructField[8 + extra.length];
    fields[0] = string(ID, false);
    fields[1] = string(SOURCE, false);
    fields[2] = string(SPLIT, false);
    fields[3] = string(CATEGORY, false);
    fields[4] = DataTypes.createStructField(IS_POISONED, DataTypes.BooleanType, false);
    fields[5] = string(ATTACKER, true);
    fields[6] = string(TRIGGER, true);
    fields[7] = string(POISON_KIND, true);
    System.arraycopy(extra, 0, fields, 8, extra.length);
    return DataTypes.createStructType(fields);
  }

  private static StructField string(String name, boolean nullable) {
    return DataTypes.createStructField(name, DataTypes.StringType, nullable);
  }
}
