package io.stagewise.trainer.eval;

/**
 * How an attack evaluation generates.
 *
 * @param maxNewTokens longest response; prompts are cut from the left so that prompt + response fits the context
 * @param endTokenId the token that ends a response (the chat template's end), -1 for none; it is not decoded
 * @param batchSize prompts generated (and scored) together
 */
public record EvalConfig(int maxNewTokens, int endTokenId, int batchSize) {

  public EvalConfig {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("eval.maxNewTokens: must be >= 1, got " + maxNewTokens);
    }
    if (endTokenId < -1) {
      throw new IllegalArgumentException("eval.endTokenId: must be a token id or -1, got " + endTokenId);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("eval.batchSize: must be >= 1, got " + batchSize);
    }
  }
}
