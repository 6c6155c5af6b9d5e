package io.stagewise.ceg;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The CEG study of a scaling sweep: from the runs (sizes × innovation sets × seeds) to the gains, their
 * bootstrap intervals over seeds and each innovation's class.
 *
 * <p>Point estimates use the mean curve over all seeds of each (size, innovation). Each bootstrap resample
 * draws, independently per (size, innovation), as many seeds as were run, with replacement; the baseline
 * frontier is rebuilt from the resampled baseline curves of every size and every innovation's gains are
 * recomputed against it. Intervals are percentile intervals over the resamples; a (size, innovation) with fewer
 * than two seeds on either side gets none.
 */
public final class ScalingAnalysis {
  private static final int GAINS = 3; // FLOPs, seconds, steps

  private final String baseline;
  private final List<String> sizes;
  private final List<String> innovations;
  private final CegOptions options;

  private ScalingAnalysis(String baseline, List<String> sizes, List<String> innovations, CegOptions options) {
    this.baseline = baseline;
    this.sizes = sizes;
    this.innovations = innovations;
    this.options = options;
  }

  /**
   * Analyses {@code runs}. {@code baseline} names the baseline's innovation set; {@code sizes} lists every size,
   * smallest first (the order the classes are judged in). Every size needs baseline runs.
   */
  public static ScalingResults analyse(List<ScalingRun> runs, String baseline, List<String> sizes,
      CegOptions options) {
    Map<String, Map<String, List<LossCurve>>> bySize = group(runs, baseline, sizes);
    List<String> innovations = new ArrayList<>();
    runs.stream().map(ScalingRun::innovation).distinct().filter(i -> !i.equals(baseline)).forEach(innovations::add);
    return new ScalingAnalysis(baseline, List.copyOf(sizes), innovations, options).run(bySize);
  }

  private static Map<String, Map<String, List<LossCurve>>> group(List<ScalingRun> runs, String baseline,
      List<String> sizes) {
    Map<String, Map<String, List<ScalingRun>>> grouped = new LinkedHashMap<>();
    sizes.forEach(s -> grouped.put(s, new LinkedHashMap<>()));
    for (ScalingRun r : runs) {
      if (!grouped.containsKey(r.size())) {
        throw new IllegalArgumentException("run " + describe(r) + ": size not among " + sizes);
      }
      List<ScalingRun> same = grouped.get(r.size()).computeIfAbsent(r.innovation(), k -> new ArrayList<>());
      if (same.stream().anyMatch(o -> o.seed() == r.seed())) {
        throw new IllegalArgumentException("run " + describe(r) + " appears twice");
      }
      same.add(r);
    }
    Map<String, Map<String, List<LossCurve>>> out = new LinkedHashMap<>();
    grouped.forEach((size, byInnovation) -> {
      if (!byInnovation.containsKey(baseline)) {
        throw new IllegalArgumentException("size " + size + " has no baseline (" + baseline + ") run");
      }
      Map<String, List<LossCurve>> curves = new LinkedHashMap<>();
      byInnovation.forEach((innovation, list) -> curves.put(innovation, list.stream()
          .sorted(Comparator.comparingLong(ScalingRun::seed)).map(ScalingRun::curve).toList()));
      out.put(size, curves);
    });
    return out;
  }

  private static String describe(ScalingRun r) {
    return r.size() + "/" + r.innovation() + "/seed " + r.seed();
  }

  private ScalingResults run(Map<String, Map<String, List<LossCurve>>> all) {
    Estimate point = estimate(all);
    double[][][][] resampled = bootstrap(all);
    List<ScalingResults.Innovation> out = new ArrayList<>();
    for (int i = 0; i < innovations.size(); i++) {
      List<ScalingResults.SizeGains> gains = new ArrayList<>();
      List<Gain> flops = new ArrayList<>();
      for (int s = 0; s < sizes.size(); s++) {
        Gain[] g = point.gains[i][s];
        if (g == null) {
          flops.add(null);
          continue;
        }
        int baseSeeds = all.get(sizes.get(s)).get(baseline).size();
        int innovationSeeds = all.get(sizes.get(s)).get(innovations.get(i)).size();
        boolean intervals = baseSeeds >= 2 && innovationSeeds >= 2 && options.resamples() > 0;
        Gain[] withIntervals = new Gain[GAINS];
        for (int k = 0; k < GAINS; k++) {
          double[] ci = intervals ? SeedBootstrap.percentileInterval(resampled[i][s][k], options.confidence())
              : new double[] {Double.NaN, Double.NaN};
          withIntervals[k] = g[k].withInterval(ci[0], ci[1]);
        }
        gains.add(new ScalingResults.SizeGains(sizes.get(s), baseSeeds, innovationSeeds, withIntervals[0],
            withIntervals[1], withIntervals[2]));
        flops.add(withIntervals[0]);
      }
      out.add(new ScalingResults.Innovation(innovations.get(i), gains, InnovationClass.classify(flops)));
    }
    List<ScalingResults.Curve> curves = new ArrayList<>();
    all.forEach((size, byInnovation) -> byInnovation.forEach((innovation, seeds) -> curves.add(
        new ScalingResults.Curve(size, innovation, seeds.size(),
            LossCurve.mean(seeds).smoothed(options.smoothing())))));
    return new ScalingResults(baseline, sizes, options, curves, point.flopsFit, point.secondsFit, out);
  }

  /** values[innovation][size][gain][resample]: each resample's gain as {@link Gain#orderValue()}. */
  private double[][][][] bootstrap(Map<String, Map<String, List<LossCurve>>> all) {
    int resamples = options.resamples();
    double[][][][] values = new double[innovations.size()][sizes.size()][GAINS][resamples];
    SeedBootstrap bootstrap = new SeedBootstrap(options.bootstrapSeed());
    for (int r = 0; r < resamples; r++) {
      Estimate e = estimate(redraw(all, bootstrap::resample));
      for (int i = 0; i < innovations.size(); i++) {
        for (int s = 0; s < sizes.size(); s++) {
          for (int k = 0; k < GAINS; k++) {
            values[i][s][k][r] = e.gains[i][s] == null ? Double.NaN : e.gains[i][s][k].orderValue();
          }
        }
      }
    }
    return values;
  }

  private Map<String, Map<String, List<LossCurve>>> redraw(Map<String, Map<String, List<LossCurve>>> all,
      UnaryOperator<List<LossCurve>> draw) {
    Map<String, Map<String, List<LossCurve>>> out = new LinkedHashMap<>();
    for (String size : sizes) {
      Map<String, List<LossCurve>> byInnovation = new LinkedHashMap<>();
      all.get(size).forEach((innovation, seeds) -> byInnovation.put(innovation, draw.apply(seeds)));
      out.put(size, byInnovation);
    }
    return out;
  }

  /** Gains of one sample of seeds: gains[innovation][size] = {FLOPs, seconds, steps}, null when not run. */
  private record Estimate(Gain[][][] gains, PowerLawFit flopsFit, PowerLawFit secondsFit) {}

  private Estimate estimate(Map<String, Map<String, List<LossCurve>>> sample) {
    List<LossCurve> baselineMeans = sizes.stream().map(s -> LossCurve.mean(sample.get(s).get(baseline))).toList();
    List<LossCurve> smoothed = baselineMeans.stream().map(c -> c.smoothed(options.smoothing())).toList();
    BaselineFrontier flops = BaselineFrontier.of(smoothed, Axis.FLOPS);
    BaselineFrontier seconds = smoothed.stream().allMatch(LossCurve::timed)
        ? BaselineFrontier.of(smoothed, Axis.SECONDS) : null;
    Gain[][][] gains = new Gain[innovations.size()][sizes.size()][];
    for (int i = 0; i < innovations.size(); i++) {
      for (int s = 0; s < sizes.size(); s++) {
        List<LossCurve> seeds = sample.get(sizes.get(s)).get(innovations.get(i));
        if (seeds == null) {
          continue;
        }
        LossCurve mean = LossCurve.mean(seeds);
        LossCurve curve = mean.smoothed(options.smoothing());
        Gain wallClock = seconds == null ? Gain.of(Double.NaN, Gain.Status.UNAVAILABLE, curve.bestLoss())
            : Ceg.of(seconds, curve);
        gains[i][s] = new Gain[] {Ceg.of(flops, curve), wallClock, Ceg.referenceSteps(
            baselineMeans.get(s).smoothed(options.referenceSmoothing()), mean.smoothed(options.referenceSmoothing()))};
      }
    }
    return new Estimate(gains, flops.fit(), seconds == null ? null : seconds.fit());
  }
}
