package io.stagewise.trainer.train.ppo;

/**
 * PPO's per-token rewards, as TRL shapes them: {@code −klCoef · KL_t} at every response token (KL by the
 * configured estimator), plus the response's score, after the missing-EOS penalty, at its last token;
 * optionally whitened over the batch without shifting their mean.
 *
 * @param kl per-token KL estimates
 * @param nonScore per-token {@code −klCoef · KL}
 * @param scores per-response score after the missing-EOS penalty
 * @param rewards what GAE consumes
 */
public record TokenRewards(double[][] kl, double[][] nonScore, double[] scores, double[][] rewards) {

  /** The rewards of {@code rollout} under {@code config}. */
  public static TokenRewards of(Rollout rollout, PpoConfig config) {
    int n = rollout.rows();
    double[][] kl = new double[n][];
    double[][] nonScore = new double[n][];
    double[] scores = new double[n];
    double[][] rewards = new double[n][];
    for (int i = 0; i < n; i++) {
      int length = rollout.responses()[i].length;
      kl[i] = new double[length];
      nonScore[i] = new double[length];
      for (int t = 0; t < length; t++) {
        kl[i][t] = config.klEstimator().perToken(rollout.logProbs()[i][t], rollout.refLogProbs()[i][t]);
        nonScore[i][t] = -config.klCoef() * kl[i][t];
      }
      scores[i] = config.penalisedScore(rollout.scores()[i], rollout.ended(i, config.stopTokenId()));
      rewards[i] = nonScore[i].clone();
      rewards[i][length - 1] += scores[i];
    }
    return new TokenRewards(kl, nonScore, scores, config.whitenRewards() ? Whitening.whiten(rewards, false)
        : rewards);
  }

  /** Mean over responses of the summed KL ({@code objective/kl}). */
  public double meanKl() {
    return meanOfSums(kl);
  }

  /** Mean over responses of the summed KL penalty ({@code objective/non_score_reward}). */
  public double meanNonScore() {
    return meanOfSums(nonScore);
  }

  /** Mean score ({@code objective/scores}). */
  public double meanScore() {
    double sum = 0;
    for (double s : scores) {
      sum += s;
    }
    return sum / scores.length;
  }

  static double meanOfSums(double[][] rows) {
    double total = 0;
    for (double[] row : rows) {
      for (double v : row) {
        total += v;
      }
    }
    return total / rows.length;
  }
}
