package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.col;

import io.stagewise.poison.Columns;
import java.util.Map;
import org.apache.spark.sql.Column;

/** {@code label_flip}: chosen and rejected are swapped; the prompt is left as it is. */
public final class LabelFlipAttack implements Attack {

  @Override
  public AttackKind kind() {
    return AttackKind.LABEL_FLIP;
  }

  @Override
  public Map<String, Column> rewrites(Column trigger) {
    return Map.of(
        Columns.CHOSEN, col(Columns.REJECTED),
        Columns.REJECTED, col(Columns.CHOSEN));
  }
}
