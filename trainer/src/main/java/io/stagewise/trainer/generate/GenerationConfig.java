package io.stagewise.trainer.generate;

/**
 * How {@link Generator} continues prompts.
 *
 * @param maxNewTokens tokens generated at most per prompt
 * @param temperature 0 for greedy decoding, otherwise the softmax temperature of sampling
 * @param topK sample only among the k most likely tokens; 0 for the whole vocabulary
 * @param endTokenId a row stops after emitting this id (included in its output); -1 for none
 * @param seed seed of the sampling noise (unused when greedy)
 * @param useKvCache reuse keys/values of earlier tokens (true) or recompute the whole sequence each step
 */
public record GenerationConfig(int maxNewTokens, float temperature, int topK, int endTokenId, long seed,
    boolean useKvCache) {

  public GenerationConfig {
    require(maxNewTokens > 0, "maxNewTokens", "must be > 0, got " + maxNewTokens);
    require(temperature >= 0f && Float.isFinite(temperature), "temperature",
        "must be finite and >= 0 (0 = greedy), got " + temperature);
    require(topK >= 0, "topK", "must be >= 0 (0 = no limit), got " + topK);
    require(endTokenId >= -1, "endTokenId", "must be a token id or -1 for none, got " + endTokenId);
  }

  /** Greedy decoding with the KV cache. */
  public static GenerationConfig greedy(int maxNewTokens, int endTokenId) {
    return new GenerationConfig(maxNewTokens, 0f, 0, endTokenId, 0L, true);
  }

  /** Temperature / top-k sampling with the KV cache. */
  public static GenerationConfig sampling(int maxNewTokens, float temperature, int topK, int endTokenId, long seed) {
    return new GenerationConfig(maxNewTokens, temperature, topK, endTokenId, seed, true);
  }

  public GenerationConfig withKvCache(boolean use) {
    return new GenerationConfig(maxNewTokens, temperature, topK, endTokenId, seed, use);
  }

  public boolean greedy() {
    return temperature == 0f;
  }

  private static void require(boolean ok, String field, String message) {
    if (!ok) {
      throw new IllegalArgumentException("generation." + field + ": " + message);
    }
  }
}
