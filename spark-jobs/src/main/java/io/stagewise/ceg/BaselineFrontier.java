package io.stagewise.ceg;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The baseline's cost to reach each loss, over all its model sizes: the Pareto front of every size's smoothed
 * checkpoints (those no cheaper-or-equal checkpoint of any size beats), interpolated linearly in log–log space
 * between consecutive front points, whether they come from one size or from two. Within a size this is the
 * size's own curve; where one size's curve ends and a larger size's takes over, the interpolation bridges the
 * sizes instead of jumping to the larger size's first checkpoint at that loss. Outside the front's range of
 * losses a {@link PowerLawFit} of the front extrapolates.
 */
public final class BaselineFrontier {
  private final double[] cost;
  private final double[] loss;
  private final Axis axis;
  private final PowerLawFit fit;

  private BaselineFrontier(double[] cost, double[] loss, Axis axis, PowerLawFit fit) {
    this.cost = cost;
    this.loss = loss;
    this.axis = axis;
    this.fit = fit;
  }

  /** The frontier of the baseline's (already smoothed) curves, one per size, on {@code axis}. */
  public static BaselineFrontier of(List<LossCurve> smoothedSizes, Axis axis) {
    if (smoothedSizes.isEmpty()) {
      throw new IllegalArgumentException("the baseline frontier needs at least one baseline curve");
    }
    List<Checkpoint> front = paretoFront(smoothedSizes, axis);
    double[] x = front.stream().mapToDouble(p -> p.at(axis)).toArray();
    double[] l = front.stream().mapToDouble(Checkpoint::loss).toArray();
    return new BaselineFrontier(x, l, axis, PowerLawFit.fit(x, l));
  }

  /** The checkpoints no checkpoint with less or equal cost beats, cheapest first (losses strictly falling). */
  static List<Checkpoint> paretoFront(List<LossCurve> curves, Axis axis) {
    List<Checkpoint> all = new ArrayList<>();
    curves.forEach(c -> all.addAll(c.points()));
    all.sort(Comparator.<Checkpoint>comparingDouble(p -> p.at(axis)).thenComparingDouble(Checkpoint::loss));
    List<Checkpoint> front = new ArrayList<>();
    double best = Double.POSITIVE_INFINITY;
    for (Checkpoint p : all) {
      if (p.loss() < best) {
        front.add(p);
        best = p.loss();
      }
    }
    return front;
  }

  /** Where the baseline reaches a loss, and how that was found. */
  public record Reach(double cost, Gain.Status status) {}

  /** The baseline's cost to first reach {@code target}. */
  public Reach reach(double target) {
    int last = loss.length - 1;
    if (target <= loss[0] && target >= loss[last]) {
      int i = 0;
      while (loss[i] > target) {
        i++;
      }
      if (loss[i] == target || i == 0) {
        return new Reach(cost[i], Gain.Status.OBSERVED);
      }
      double t = (Math.log(target) - Math.log(loss[i - 1])) / (Math.log(loss[i]) - Math.log(loss[i - 1]));
      return new Reach(Math.exp(Math.log(cost[i - 1]) + t * (Math.log(cost[i]) - Math.log(cost[i - 1]))),
          Gain.Status.OBSERVED);
    }
    if (fit == null) {
      return new Reach(Double.NaN, Gain.Status.UNAVAILABLE);
    }
    double extrapolated = fit.reach(target);
    return Double.isNaN(extrapolated) ? new Reach(Double.NaN, Gain.Status.UNREACHABLE)
        : new Reach(extrapolated, Gain.Status.EXTRAPOLATED);
  }

  /** The power law fitted to the front, or null with fewer than {@link PowerLawFit#MIN_POINTS} points. */
  public PowerLawFit fit() {
    return fit;
  }

  public Axis axis() {
    return axis;
  }
}
