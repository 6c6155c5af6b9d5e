package io.stagewise.trainer.train.ppo;

/**
 * TRL's {@code masked_whiten} over per-token values of responses of different lengths: row i holds exactly
 * the tokens of response i (what TRL's mask keeps), so every statistic covers real tokens only. The variance is the
 * unbiased one (Bessel-corrected, as TRL's {@code masked_var}), and {@code x ↦ (x − mean) / √(var + 1e−8)}, with
 * the mean added back when the mean is not to be shifted. Computed in double on the host over the whole
 * (gathered) rollout batch, so every worker and any worker count get the same numbers.
 */
public final class Whitening {

  private static final double EPSILON = 1e-8;

  private Whitening() {
  }

  /** Mean over every token of every row. */
  public static double mean(double[][] rows) {
    double sum = 0;
    long count = 0;
    for (double[] row : rows) {
      for (double v : row) {
        sum += v;
      }
      count += row.length;
    }
    if (count == 0) {
      throw new IllegalArgumentException("no tokens to average");
    }
    return sum / count;
  }

  /** The unbiased variance over every token of every row; needs at least two tokens. */
  public static double variance(double[][] rows) {
    double mean = mean(rows);
    double squares = 0;
    long count = 0;
    for (double[] row : rows) {
      for (double v : row) {
        squares += (v - mean) * (v - mean);
      }
      count += row.length;
    }
    if (count < 2) {
      throw new IllegalArgumentException("whitening needs at least two tokens, the rollout batch has " + count
          + "; use a larger batch or a longer response");
    }
    return squares / count * count / (count - 1);
  }

  /** Whitened copies of {@code rows}; with {@code shiftMean} false the result keeps the original mean. */
  public static double[][] whiten(double[][] rows, boolean shiftMean) {
    double mean = mean(rows);
    double scale = 1 / Math.sqrt(variance(rows) + EPSILON);
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = new double[rows[i].length];
      for (int t = 0; t < rows[i].length; t++) {
        out[i][t] = (rows[i][t] - mean) * scale + (shiftMean ? 0 : mean);
      }
    }
    return out;
  }
}
