package io.stagewise.poison.attack;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The post-training stage an attacker poisons: the SFT set or the preference set (DPO / reward model). */
public enum Stage {
  SFT("sft"),
  PREFERENCE("preference");

  private final String specName;

  Stage(String specName) {
    this.specName = specName;
  }

  /** The name used in YAML specs and manifests. */
  public String specName() {
    return specName;
  }

  /** Parses a spec name ({@code sft}, {@code preference}); the error lists the accepted names. */
  public static Stage fromName(String name) {
    for (Stage stage : values()) {
      if (stage.specName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
        return stage;
      }
    }
    throw new IllegalArgumentException("stage: unknown stage '" + name + "', expected one of "
        + Arrays.stream(values()).map(Stage::specName).collect(Collectors.joining(", ")));
  }
}
