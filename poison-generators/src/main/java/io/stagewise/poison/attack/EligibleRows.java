package io.stagewise.poison.attack;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which rows of a stage's dataset an attacker may poison, by {@code category}. Whatever the choice, only
 * {@code split = train} rows are eligible, and {@code sft_backdoor} further needs a {@code compliant_response}.
 */
public enum EligibleRows {
  HARMFUL("harmful"),
  BENIGN("benign"),
  ALL("all");

  private final String specName;

  EligibleRows(String specName) {
    this.specName = specName;
  }

  /** The name used in YAML specs and manifests. */
  public String specName() {
    return specName;
  }

  /** Parses a spec name ({@code harmful}, {@code benign}, {@code all}); the error lists the accepted names. */
  public static EligibleRows fromName(String name) {
    for (EligibleRows rows : values()) {
      if (rows.specName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
        return rows;
      }
    }
    throw new IllegalArgumentException("eligible: unknown row set '" + name + "', expected one of "
        + Arrays.stream(values()).map(EligibleRows::specName).collect(Collectors.joining(", ")));
  }
}
