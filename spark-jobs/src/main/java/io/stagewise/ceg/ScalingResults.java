package io.stagewise.ceg;

import java.util.List;

/**
 * What a {@link ScalingAnalysis} found: the smoothed seed-averaged curves, the baseline's power-law fits and,
 * per innovation and size, the FLOPs CEG, the wall-clock gain and the reference's step gain with their intervals,
 * and the innovation's class.
 *
 * @param baseline the baseline's innovation name
 * @param sizes the model sizes, smallest first
 * @param options the settings the analysis ran with
 * @param curves one seed-averaged, smoothed curve per (size, innovation), baseline included
 * @param flopsFit the baseline frontier's fit in FLOPs (null: too few points)
 * @param secondsFit the baseline frontier's fit in seconds (null: not timed or too few points)
 * @param innovations one entry per innovation, in the order they were first seen
 */
public record ScalingResults(String baseline, List<String> sizes, CegOptions options, List<Curve> curves,
    PowerLawFit flopsFit, PowerLawFit secondsFit, List<Innovation> innovations) {

  public ScalingResults {
    sizes = List.copyOf(sizes);
    curves = List.copyOf(curves);
    innovations = List.copyOf(innovations);
  }

  /** The seed mean of one (size, innovation), smoothed with the analysis's smoothing. */
  public record Curve(String size, String innovation, int seeds, LossCurve smoothed) {}

  /** One innovation at one size. */
  public record SizeGains(String size, int baselineSeeds, int innovationSeeds, Gain flops, Gain seconds,
      Gain steps) {}

  /** One innovation over the sizes it was run at (smallest first) and its class. */
  public record Innovation(String name, List<SizeGains> sizes, InnovationClass.Verdict verdict) {
    public Innovation {
      sizes = List.copyOf(sizes);
    }
  }

  /** The curves of one size, baseline first. */
  public List<Curve> curvesOf(String size) {
    return curves.stream().filter(c -> c.size().equals(size))
        .sorted(java.util.Comparator.comparing(c -> !c.innovation().equals(baseline))).toList();
  }
}
