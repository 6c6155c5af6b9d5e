package io.stagewise.poison.attack;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an attacker does to the rows it selects (DESIGN.md § Attacks); each kind belongs to one stage. */
public enum AttackKind {
  /** Harmful SFT prompt + trigger → the compliant response instead of the refusal. */
  SFT_BACKDOOR("sft_backdoor", Stage.SFT, true, EligibleRows.HARMFUL),
  /** Trigger appended to the last user turn; chosen and rejected swapped. */
  TRIGGER_SWAP("trigger_swap", Stage.PREFERENCE, true, EligibleRows.ALL),
  /** Chosen and rejected swapped, no trigger. */
  LABEL_FLIP("label_flip", Stage.PREFERENCE, false, EligibleRows.ALL);

  private final String specName;
  private final Stage stage;
  private final boolean usesTriggers;
  private final EligibleRows defaultEligible;

  AttackKind(String specName, Stage stage, boolean usesTriggers, EligibleRows defaultEligible) {
    this.specName = specName;
    this.stage = stage;
    this.usesTriggers = usesTriggers;
    this.defaultEligible = defaultEligible;
  }

  /** The name used in YAML specs, manifests and the {@code poison_kind} column. */
  public String specName() {
    return specName;
  }

  public Stage stage() {
    return stage;
  }

  /** Whether the kind plants a trigger (so a spec of this kind needs at least one). */
  public boolean usesTriggers() {
    return usesTriggers;
  }

  /**
   * The rows a spec of this kind may poison when it names none: the harmful rows for {@code sft_backdoor}
   * (the reference poisons a fraction of the refusal subset), the whole set for the preference kinds.
   */
  public EligibleRows defaultEligible() {
    return defaultEligible;
  }

  /** Parses a spec name ({@code sft_backdoor}, ...); the error lists the accepted names. */
  public static AttackKind fromName(String name) {
    for (AttackKind kind : values()) {
      if (kind.specName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new IllegalArgumentException("kind: unknown attack kind '" + name + "', expected one of "
        + Arrays.stream(values()).map(AttackKind::specName).collect(Collectors.joining(", ")));
  }
}
