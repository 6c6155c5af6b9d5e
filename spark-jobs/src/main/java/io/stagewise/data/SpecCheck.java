package io.stagewise.data;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Collects every problem of a spec so that one run reports them all at once, each naming its field
 * (DESIGN.md § Bad input), then throws a single {@link IllegalArgumentException}.
 */
public final class SpecCheck {
  private final String specName;
  // A set: a section read once per preset (a sweep's model overrides) reports each problem once.
  private final Set<String> problems = new LinkedHashSet<>();

  public SpecCheck(String specName) {
    this.specName = specName;
  }

  /** Records {@code field: message} when {@code ok} is false. */
  public SpecCheck require(boolean ok, String field, String message) {
    if (!ok) {
      problems.add(field + ": " + message);
    }
    return this;
  }

  /** Records a problem whose text already names its field ({@code field: message}). */
  public SpecCheck problem(String fieldAndMessage) {
    problems.add(fieldAndMessage);
    return this;
  }

  /** Records a problem found by a nested spec's own check, under the nested field's name. */
  public SpecCheck nested(String field, Runnable validation) {
    try {
      validation.run();
    } catch (IllegalArgumentException e) {
      problems.add(field + ": " + e.getMessage());
    }
    return this;
  }

  /** Whether a problem has been recorded so far. */
  public boolean hasProblems() {
    return !problems.isEmpty();
  }

  /** Throws when any problem was recorded. */
  public void validate() {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid " + specName + ":\n  - " + String.join("\n  - ", problems));
    }
  }
}
