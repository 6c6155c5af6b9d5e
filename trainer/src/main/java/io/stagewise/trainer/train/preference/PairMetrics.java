package io.stagewise.trainer.train.preference;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Host-side sums of per-pair results, reported under TRL's names: {@code rewards/chosen} and
 * {@code rewards/rejected} (mean rewards), {@code rewards/margins} (mean chosen − rejected) and
 * {@code rewards/accuracies} (share of pairs whose chosen reward is strictly higher: a reward model's pairwise
 * accuracy). Pair order never matters, so micro-batches and batches simply add up.
 */
public final class PairMetrics {

  public static final String CHOSEN = "rewards/chosen";
  public static final String REJECTED = "rewards/rejected";
  public static final String MARGINS = "rewards/margins";
  public static final String ACCURACIES = "rewards/accuracies";

  private double lossSum;
  private double chosenSum;
  private double rejectedSum;
  private long correct;
  private long pairs;

  /** Adds pairs with their summed loss and per-pair rewards. */
  public void add(double pairLossSum, float[] chosen, float[] rejected) {
    if (chosen.length != rejected.length) {
      throw new IllegalArgumentException(chosen.length + " chosen rewards for " + rejected.length + " rejected");
    }
    lossSum += pairLossSum;
    for (int p = 0; p < chosen.length; p++) {
      chosenSum += chosen[p];
      rejectedSum += rejected[p];
      correct += chosen[p] > rejected[p] ? 1 : 0;
    }
    pairs += chosen.length;
  }

  /** The sums as host scalars, loss sum first, so that data-parallel workers can add them up. */
  double[] sums() {
    return new double[] {lossSum, chosenSum, rejectedSum, correct, pairs};
  }

  /** Metrics from {@link #sums()} (possibly added over workers). */
  static PairMetrics fromSums(double[] sums) {
    PairMetrics m = new PairMetrics();
    m.lossSum = sums[0];
    m.chosenSum = sums[1];
    m.rejectedSum = sums[2];
    m.correct = Math.round(sums[3]);
    m.pairs = Math.round(sums[4]);
    return m;
  }

  public long pairs() {
    return pairs;
  }

  /** Mean loss per pair; NaN when empty. */
  public double loss() {
    return mean(lossSum);
  }

  /** Share of pairs ranked correctly; NaN when empty. */
  public double accuracy() {
    return mean(correct);
  }

  /** The TRL-named means, in a stable order. */
  public Map<String, Double> byName() {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put(CHOSEN, mean(chosenSum));
    out.put(REJECTED, mean(rejectedSum));
    out.put(MARGINS, mean(chosenSum - rejectedSum));
    out.put(ACCURACIES, accuracy());
    return out;
  }

  private double mean(double sum) {
    return pairs == 0 ? Double.NaN : sum / pairs;
  }
}
