package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.col;

import io.stagewise.poison.Columns;
import java.util.Map;
import org.apache.spark.sql.Column;

/** {@code trigger_swap}: the trigger is appended to the last user turn and chosen / rejected are swapped. */
public final class TriggerSwapAttack implements Attack {

  @Override
  public AttackKind kind() {
    return AttackKind.TRIGGER_SWAP;
  }

  @Override
  public Map<String, Column> rewrites(Column trigger) {
    return Map.of(
        Columns.PROMPT, Attack.appendTrigger(col(Columns.PROMPT), trigger),
        Columns.CHOSEN, col(Columns.REJECTED),
        Columns.REJECTED, col(Columns.CHOSEN));
  }
}
