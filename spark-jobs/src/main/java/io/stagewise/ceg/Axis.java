package io.stagewise.ceg;

/** What a loss curve is plotted against, i.e. the unit a gain is measured in. */
public enum Axis {
  /** Optimizer updates: the reference's unit (wrong when an innovation changes the cost of a step). */
  STEPS("optimizer steps"),
  /** Cumulative training FLOPs, counted exactly from the configuration: the unit of CEG. */
  FLOPS("training FLOPs"),
  /** Cumulative wall-clock training seconds: what a fused kernel buys. */
  SECONDS("wall-clock seconds");

  private final String label;

  Axis(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
