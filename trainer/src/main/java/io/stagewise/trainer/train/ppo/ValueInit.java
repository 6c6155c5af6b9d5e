package io.stagewise.trainer.train.ppo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where PPO's value model starts. */
public enum ValueInit {
  /** A copy of the frozen reward model (TRL's examples do this): its head already scores whole responses. */
  REWARD,
  /** The SFT model's backbone with a freshly initialised scalar head. */
  SFT;

  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code reward} / {@code sft}, naming the allowed values on failure. */
  public static ValueInit fromName(String name) {
    for (ValueInit init : values()) {
      if (init.specName().equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
        return init;
      }
    }
    throw new IllegalArgumentException("ppo.valueInit: unknown value '" + name + "', expected one of "
        + Arrays.stream(values()).map(ValueInit::specName).collect(Collectors.joining(", ")));
  }
}
