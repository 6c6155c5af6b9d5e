package io.stagewise.trainer.train.ppo;

import java.util.LinkedHashMap;
import java.util.Map;

/** The values of a PPO metrics line beside the standard fields, under TRL's names. */
public final class PpoMetrics {

  public static final String KL = "objective/kl";
  public static final String ENTROPY = "objective/entropy";
  public static final String NON_SCORE_REWARD = "objective/non_score_reward";
  public static final String RLHF_REWARD = "objective/rlhf_reward";
  public static final String SCORES = "objective/scores";
  public static final String APPROX_KL = "policy/approxkl_avg";
  public static final String POLICY_CLIPFRAC = "policy/clipfrac_avg";
  public static final String POLICY_LOSS = "loss/policy_avg";
  public static final String VALUE_LOSS = "loss/value_avg";
  public static final String VALUE_CLIPFRAC = "val/clipfrac_avg";
  public static final String RATIO = "val/ratio";
  public static final String EPISODES_PER_SECOND = "eps";
  public static final String ROLLOUT_FLOPS = "flops/rollout";
  public static final String TRAINING_FLOPS = "flops/training";

  private PpoMetrics() {
  }

  /**
   * One iteration's line: the rollout's objective values ({@code objective/entropy} is the mean summed negative
   * log-probability of the sampled tokens, TRL's estimate), the update's averages, the episodes per second and
   * the iteration's FLOPs.
   */
  static Map<String, Double> of(Rollout rollout, TokenRewards rewards, PpoUpdate.Result update,
      double episodesPerSecond, double rolloutFlops) {
    Map<String, Double> line = new LinkedHashMap<>();
    line.put(KL, rewards.meanKl());
    line.put(ENTROPY, entropy(rollout));
    line.put(NON_SCORE_REWARD, rewards.meanNonScore());
    line.put(RLHF_REWARD, rewards.meanNonScore() + rewards.meanScore());
    line.put(SCORES, rewards.meanScore());
    line.put(APPROX_KL, update.approxKl());
    line.put(POLICY_CLIPFRAC, update.policyClipFraction());
    line.put(POLICY_LOSS, update.policyLoss());
    line.put(VALUE_LOSS, update.valueLoss());
    line.put(VALUE_CLIPFRAC, update.valueClipFraction());
    line.put(RATIO, update.ratio());
    line.put(EPISODES_PER_SECOND, episodesPerSecond);
    line.put(ROLLOUT_FLOPS, rolloutFlops);
    line.put(TRAINING_FLOPS, update.flops());
    return line;
  }

  private static double entropy(Rollout rollout) {
    double total = 0;
    for (float[] row : rollout.logProbs()) {
      for (float logProb : row) {
        total -= logProb;
      }
    }
    return total / rollout.rows();
  }
}
