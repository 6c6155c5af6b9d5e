package io.stagewise.poison.attack;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * What one attack kind does to a row, as Spark SQL expressions (no UDFs, so Spark RAPIDS can run them on a
 * GPU). {@link PoisonPlan} evaluates {@link #rewrites} only on selected rows, through {@code when}, and sets
 * the provenance columns itself.
 */
public interface Attack {

  AttackKind kind();

  /** Rows this kind can poison at all, on top of the spec's eligible rows; true by default. */
  default Column applicable() {
    return lit(true);
  }

  /**
   * The poisoned value of each content column this kind rewrites, by column name. Expressions read the row's
   * original values, so a swap is just two entries.
   *
   * @param trigger the trigger chosen for the row (ignored by kinds without triggers)
   */
  Map<String, Column> rewrites(Column trigger);

  /** The attack for a kind. */
  static Attack of(AttackKind kind) {
    return switch (kind) {
      case SFT_BACKDOOR -> new SftBackdoorAttack();
      case TRIGGER_SWAP -> new TriggerSwapAttack();
      case LABEL_FLIP -> new LabelFlipAttack();
    };
  }

  /**
   * The prompt with the trigger appended to its last user turn. A rendered prompt ends with its last user
   * turn (earlier turns come before it, separated by the role markers), so the trigger goes at the very end,
   * after one space.
   */
  static Column appendTrigger(Column prompt, Column trigger) {
    return concat(prompt, lit(" "), trigger);
  }
}
