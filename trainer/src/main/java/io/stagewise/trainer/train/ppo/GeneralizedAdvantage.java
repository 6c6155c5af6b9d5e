package io.stagewise.trainer.train.ppo;

/**
 * Generalised advantage estimation (Schulman et al. 2016) per response, as TRL's PPO computes it: backwards over
 * the response's tokens, {@code δ_t = r_t + γ·V_{t+1} − V_t} and {@code A_t = δ_t + γλ·A_{t+1}}, with no value
 * after the last token (an episode ends there, whether at the end token or at {@code responseLength}); the
 * returns, the value targets, are {@code A + V} before the advantages are whitened.
 */
public final class GeneralizedAdvantage {

  private GeneralizedAdvantage() {
  }

  /**
   * Advantages and returns of a rollout batch.
   *
   * @param advantages whitened over all tokens of the batch (what the policy loss uses)
   * @param returns {@code A + V} with the advantages before whitening (what the value loss uses)
   */
  public record Estimate(double[][] advantages, double[][] returns) {
  }

  /** Raw advantages of one response from its per-token rewards and values (same length). */
  public static double[] advantages(double[] rewards, double[] values, double gamma, double lam) {
    if (rewards.length != values.length) {
      throw new IllegalArgumentException(rewards.length + " rewards but " + values.length + " values");
    }
    double[] out = new double[rewards.length];
    double next = 0;
    double lastAdvantage = 0;
    for (int t = rewards.length - 1; t >= 0; t--) {
      double delta = rewards[t] + gamma * next - values[t];
      lastAdvantage = delta + gamma * lam * lastAdvantage;
      out[t] = lastAdvantage;
      next = values[t];
    }
    return out;
  }

  /** Advantages (whitened over the whole batch) and returns of every response. */
  public static Estimate estimate(double[][] rewards, double[][] values, double gamma, double lam) {
    double[][] raw = new double[rewards.length][];
    double[][] returns = new double[rewards.length][];
    for (int i = 0; i < rewards.length; i++) {
      raw[i] = advantages(rewards[i], values[i], gamma, lam);
      returns[i] = new double[raw[i].length];
      for (int t = 0; t < raw[i].length; t++) {
        returns[i][t] = raw[i][t] + values[i][t];
      }
    }
    return new Estimate(Whitening.whiten(raw, true), returns);
  }
}
