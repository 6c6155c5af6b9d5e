package io.stagewise.trainer.train.ppo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall seconds of one PPO iteration's phases on this worker. The rest of the iteration (gathering the batch,
 * reward shaping, GAE) is in {@code iterationSeconds} only, so the phases sum to at most it.
 *
 * @param rolloutSeconds sampling the responses with the KV cache
 * @param scoringSeconds the policy, reference and value forwards over prompt + response and the reward's score
 * @param updateSeconds the PPO epochs of optimizer updates
 * @param iterationSeconds the whole iteration, from drawing the prompts to the end of the updates
 */
public record PpoPhaseTimes(double rolloutSeconds, double scoringSeconds, double updateSeconds,
    double iterationSeconds) {

  public static final String ROLLOUT = "time/rollout_s";
  public static final String SCORING = "time/scoring_s";
  public static final String UPDATE = "time/update_s";
  public static final String ITERATION = "time/iteration_s";

  /** The times under their metrics-line names. */
  public Map<String, Double> asMetrics() {
    Map<String, Double> line = new LinkedHashMap<>();
    line.put(ROLLOUT, rolloutSeconds);
    line.put(SCORING, scoringSeconds);
    line.put(UPDATE, updateSeconds);
    line.put(ITERATION, iterationSeconds);
    return line;
  }
}
