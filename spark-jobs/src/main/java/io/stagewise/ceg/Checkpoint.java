package io.stagewise.ceg;

/**
 * One evaluation of a run.
 *
 * @param step optimizer updates done
 * @param flops cumulative training FLOPs
 * @param seconds cumulative wall-clock training seconds (NaN when the run did not record its throughput)
 * @param loss evaluation loss
 */
public record Checkpoint(long step, double flops, double seconds, double loss) {

  /** The coordinate of this checkpoint on {@code axis}. */
  public double at(Axis axis) {
    return switch (axis) {
      case STEPS -> step;
      case FLOPS -> flops;
      case SECONDS -> seconds;
    };
  }
}
