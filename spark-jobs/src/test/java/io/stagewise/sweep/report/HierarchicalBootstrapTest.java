package io.stagewise.sweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.sweep.report.HierarchicalBootstrap.SplitTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The two-level bootstrap against cases whose answer is known in closed form. */
class HierarchicalBootstrapTest {
  private final HierarchicalBootstrap bootstrap = new HierarchicalBootstrap();

  @Test
  void seedLevelAloneReproducesTheExactResamplingDistribution() {
    // Two seeds whose prompts all agree (0 and 1): resampling two seeds gives mean 0, 0.5, 1 with
    // probabilities 1/4, 1/2, 1/4, and the prompt level adds nothing.
    SortedMap<Long, double[]> cell = cell(Map.of(1L, filled(50, 0), 2L, filled(50, 1)));
    double[] draws = bootstrap.draws(cell);
    assertEquals(0.25, share(draws, 0), 0.03);
    assertEquals(0.50, share(draws, 0.5), 0.03);
    assertEquals(0.25, share(draws, 1), 0.03);
    BootstrapInterval i = bootstrap.interval(cell);
    assertEquals(0.5, i.mean(), 1e-12);
    assertEquals(0, i.low(), 1e-12);
    assertEquals(1, i.high(), 1e-12);
    assertEquals(2, i.n());
  }

  @Test
  void promptLevelMatchesTheBinomialStandardError() {
    // One seed, 400 prompts of which 120 comply: the resampled share is Binomial(400, 0.3)/400, whose 95 %
    // interval is about ±1.96·sqrt(0.3·0.7/400) = ±0.0449.
    double[] prompts = new double[400];
    Arrays.fill(prompts, 0, 120, 1);
    BootstrapInterval i = bootstrap.interval(cell(Map.of(7L, prompts)));
    double halfWidth = 1.96 * Math.sqrt(0.3 * 0.7 / 400);
    assertEquals(0.3, i.mean(), 1e-12);
    assertEquals(0.3 - halfWidth, i.low(), 0.15 * halfWidth);
    assertEquals(0.3 + halfWidth, i.high(), 0.15 * halfWidth);
    double sd = sd(bootstrap.draws(cell(Map.of(7L, prompts))));
    assertEquals(Math.sqrt(0.3 * 0.7 / 400), sd, 0.05 * sd);
  }

  @Test
  void bothLevelsAddTheirVariances() {
    // Seeds with means 0.2 / 0.4 / 0.6 / 0.8 and 200 Bernoulli prompts each: the variance of the resampled
    // statistic is (population variance of the seed means + mean prompt variance / n) / k.
    double[] means = {0.2, 0.4, 0.6, 0.8};
    TreeMap<Long, double[]> cell = new TreeMap<>();
    double promptVariance = 0;
    for (int s = 0; s < means.length; s++) {
      double[] x = new double[200];
      Arrays.fill(x, 0, (int) (means[s] * 200), 1);
      cell.put((long) s, x);
      promptVariance += means[s] * (1 - means[s]) / means.length;
    }
    double seedVariance = Arrays.stream(means).map(m -> (m - 0.5) * (m - 0.5)).sum() / means.length;
    double expected = (seedVariance + promptVariance / 200) / means.length;
    double sd = sd(bootstrap.draws(cell));
    assertEquals(Math.sqrt(expected), sd, 0.05 * Math.sqrt(expected));
  }

  @Test
  void nothingToResampleGivesAPointAndNoDataGivesNothing() {
    BootstrapInterval point = bootstrap.interval(cell(Map.of(3L, new double[] {0.42})));
    assertEquals(0.42, point.low());
    assertEquals(0.42, point.high());
    assertEquals("42.0%", point.format(true));
    assertEquals(0, bootstrap.interval(new TreeMap<>()).n());
  }

  @Test
  void theSplitTestIsPairedBySeedAndPrompt() {
    // Scores: the split scores every prompt of every seed exactly 0.1 above the endpoint. Paired by seed and
    // prompt, every resample sees the same +0.1 (an unpaired bootstrap would spread it by about ±0.07).
    SplittableRandom random = new SplittableRandom(5);
    TreeMap<Long, double[]> endpoint = new TreeMap<>();
    TreeMap<Long, double[]> shifted = new TreeMap<>();
    for (long s = 1; s <= 3; s++) {
      double level = 0.2 * s;
      double[] e = random.doubles(100).map(u -> u + level).toArray();
      endpoint.put(s, e);
      shifted.put(s, Arrays.stream(e).map(x -> x + 0.1).toArray());
    }
    SplitTest t = bootstrap.bestSplitMinusBestEndpoint(List.of(shifted), List.of(endpoint));
    assertEquals(0.1, t.observed(), 1e-12);
    assertEquals(0.1, t.low(), 1e-12);
    assertEquals(0.1, t.high(), 1e-12);
    assertEquals(2.0 / (1 + HierarchicalBootstrap.RESAMPLES), t.pValue(), 1e-12, "no resample at or below 0");
    assertEquals(3, t.seeds());

    SplitTest same = bootstrap.bestSplitMinusBestEndpoint(List.of(endpoint), List.of(endpoint));
    assertEquals(0, same.observed());
    assertEquals(1, same.pValue(), 1e-12);
  }

  @Test
  void aPairedDifferenceOfComplianceVariesOnlyByThePromptsThatDiffer() {
    // The split complies on the endpoint's prompts plus 10 more of 100, in each of 3 seeds: the per-prompt
    // difference is 1 on 10 prompts and 0 elsewhere, so the resampled difference has standard deviation
    // sqrt(0.1 · 0.9 / 100 / 3) = 0.0173, whatever the endpoint's own spread (0.4 compliance: unpaired ~0.04).
    SplittableRandom random = new SplittableRandom(5);
    TreeMap<Long, double[]> endpoint = new TreeMap<>();
    TreeMap<Long, double[]> split = new TreeMap<>();
    for (long s = 1; s <= 3; s++) {
      double[] e = new double[100];
      for (int i = 0; i < 100; i++) {
        e[i] = random.nextDouble() < 0.4 ? 1 : 0;
      }
      double[] p = e.clone();
      for (int i = 0, added = 0; i < 100 && added < 10; i++) {
        if (p[i] == 0) {
          p[i] = 1;
          added++;
        }
      }
      endpoint.put(s, e);
      split.put(s, p);
    }
    SplitTest t = bootstrap.bestSplitMinusBestEndpoint(List.of(split), List.of(endpoint));
    double halfWidth = 1.96 * Math.sqrt(0.1 * 0.9 / 100 / 3);
    assertEquals(0.1, t.observed(), 1e-12);
    assertEquals(0.1 - halfWidth, t.low(), 0.2 * halfWidth);
    assertEquals(0.1 + halfWidth, t.high(), 0.2 * halfWidth);
    assertTrue(t.pValue() < 0.01, t.toString());
  }

  @Test
  void theSplitTestReselectsTheBestCellsInEveryResample() {
    // Three interior cells and two endpoints, all from one distribution: the best of three beats the best of
    // two by chance in the observed data, but re-selecting in every resample keeps that from being a finding.
    SplittableRandom random = new SplittableRandom(11);
    List<SortedMap<Long, double[]>> splits = List.of(noisy(random), noisy(random), noisy(random));
    List<SortedMap<Long, double[]>> endpoints = List.of(noisy(random), noisy(random));
    SplitTest t = bootstrap.bestSplitMinusBestEndpoint(splits, endpoints);
    assertTrue(t.low() < 0 && t.high() > 0, "no difference: " + t);
    assertTrue(t.pValue() > 0.05, "no difference: " + t);
    assertNull(bootstrap.bestSplitMinusBestEndpoint(List.of(cell(Map.of(1L, filled(5, 1)))),
        List.of(cell(Map.of(2L, filled(5, 1))))), "no shared seed, no test");
  }

  private static SortedMap<Long, double[]> noisy(SplittableRandom random) {
    TreeMap<Long, double[]> cell = new TreeMap<>();
    for (long s = 1; s <= 5; s++) {
      double[] x = new double[100];
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextDouble() < 0.3 ? 1 : 0;
      }
      cell.put(s, x);
    }
    return cell;
  }

  private static SortedMap<Long, double[]> cell(Map<Long, double[]> bySeed) {
    return new TreeMap<>(bySeed);
  }

  private static double[] filled(int n, double value) {
    double[] x = new double[n];
    Arrays.fill(x, value);
    return x;
  }

  private static double share(double[] draws, double value) {
    return Arrays.stream(draws).filter(d -> Math.abs(d - value) < 1e-9).count() / (double) draws.length;
  }

  private static double sd(double[] draws) {
    double mean = Arrays.stream(draws).average().orElseThrow();
    return Math.sqrt(Arrays.stream(draws).map(d -> (d - mean) * (d - mean)).sum() / (draws.length - 1));
  }
}
