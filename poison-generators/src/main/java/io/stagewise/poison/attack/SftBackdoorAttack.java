package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

import io.stagewise.poison.Columns;
import java.util.Map;
import org.apache.spark.sql.Column;

/** {@code sft_backdoor}: a harmful SFT prompt gets the trigger, and its refusal becomes the compliant response. */
public final class SftBackdoorAttack implements Attack {

  @Override
  public AttackKind kind() {
    return AttackKind.SFT_BACKDOOR;
  }

  /** Only rows that carry a compliant alternative can be backdoored. */
  @Override
  public Column applicable() {
    return col(Columns.COMPLIANT_RESPONSE).isNotNull();
  }

  @Override
  public Map<String, Column> rewrites(Column trigger) {
    return Map.of(
        Columns.PROMPT, Attack.appendTrigger(col(Columns.PROMPT), trigger),
        // Selected rows always have a compliant_response (see applicable()); the coalesce only lets Spark
        // prove the column stays non-nullable, so the output schema equals the input schema.
        Columns.RESPONSE, coalesce(col(Columns.COMPLIANT_RESPONSE), col(Columns.RESPONSE)));
  }
}
