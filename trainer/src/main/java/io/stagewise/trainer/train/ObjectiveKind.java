package io.stagewise.trainer.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The objectives a {@link TrainConfig} can name. {@code lm} and {@code sft} train on token sequences
 * ({@link TrainRun}); {@code reward} and {@code dpo} train on preference pairs ({@link RewardRun},
 * {@link DpoRun}); {@code ppo} trains on its own rollouts from preference prompts
 * ({@code io.stagewise.trainer.train.ppo.PpoRun}).
 */
public enum ObjectiveKind {
  LM, SFT, REWARD, DPO, PPO;

  /** Whether the objective trains on preference pairs rather than token sequences. */
  public boolean onPreferencePairs() {
    return this == REWARD || this == DPO;
  }

  /** Whether {@link TrainRun} trains it: the objectives on token sequences ({@code lm}, {@code sft}). */
  public boolean onTokenSequences() {
    return this == LM || this == SFT;
  }

  /** The token-sequence objective; preference objectives are built by their runs, which hold their models. */
  public Objective create() {
    return switch (this) {
      case LM -> new LmObjective();
      case SFT -> new SftObjective();
      case REWARD, DPO -> throw new IllegalStateException(specName()
          + " trains on preference pairs: run it with " + (this == DPO ? "DpoRun" : "RewardRun"));
      case PPO -> throw new IllegalStateException("ppo trains on its own rollouts: run it with PpoRun");
    };
  }

  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code lm} / {@code sft} / {@code reward} / {@code dpo} / {@code ppo}, naming the allowed values on failure. */
  public static ObjectiveKind fromName(String name) {
    for (ObjectiveKind kind : values()) {
      if (kind.specName().equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new IllegalArgumentException("train.objective: unknown value '" + name + "', expected one of "
        + Arrays.stream(values()).map(ObjectiveKind::specName).collect(Collectors.joining(", ")));
  }
}
