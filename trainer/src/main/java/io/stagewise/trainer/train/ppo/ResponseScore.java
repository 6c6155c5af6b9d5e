package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDManager;

/** What scores a finished response for PPO: the frozen reward model in a run, a rule in a toy study. */
public interface ResponseScore {

  /** One score per (prompt, response) row; the response ends with the end token when it emitted one. */
  float[] score(int[][] prompts, int[][] responses, NDManager manager);

  /** FLOPs {@link #score} spends on these rows (0 for a rule). */
  double flops(int[][] prompts, int[][] responses);
}
