package io.stagewise.sweep.plan;

import java.util.Locale;

/**
 * The kinds of stage a sweep's DAG holds. Data stages are Spark jobs submitted from the driver; training
 * stages (training and evaluation runs) are independent single-worker runs.
 */
public enum StageKind {
  /** The synthetic safety world: clean SFT, preference and held-out evaluation sets. */
  WORLD(false),
  /** One role's real sources imported and normalised (the SFT role's also with its benign evaluation prompts held out). */
  IMPORT(false),
  /** The harmful evaluation prompts no imported training row asks: an anti-join across the import roles. */
  HOLD_OUT(false),
  /** Datasets published elsewhere, checked and used as they are. */
  PUBLISHED(false),
  /** One stage's attackers applied to its clean set, then tokenized. */
  POISON(false),
  /**
   * A clean dataset tokenized (the clean reward model's preference pairs, held-out pairs); with a trigger in its
   * config, the trigger is appended to every prompt first (held-out pairs for a reward model's triggered accuracy).
   */
  TOKENIZE(false),
  /** Supervised fine-tuning from scratch on an SFT token set. */
  SFT(true),
  /** A reward model (Bradley–Terry): the clean one, or in {@code sft-rm-ppo} the one on the poisoned pairs. */
  REWARD_MODEL(true),
  /** DPO of an SFT model on a preference token set, the SFT model as the frozen reference. */
  DPO(true),
  /** PPO of an SFT model against a reward model, on the prompts of that reward model's (poisoned) pairs. */
  PPO(true),
  /** Generation and judging of one policy on the held-out prompts. */
  EVALUATE(true),
  /** Scaling sweeps: a text corpus cut into token blocks, the last share held out for evaluation. */
  CORPUS(false),
  /** Scaling sweeps: LM pretraining from scratch, evaluated on the held-out blocks against cumulative FLOPs. */
  PRETRAIN(true);

  private final boolean training;

  StageKind(boolean training) {
    this.training = training;
  }

  /** Whether the stage runs as a training task (DJL) rather than a Spark data job. */
  public boolean isTraining() {
    return training;
  }

  /** The name used in directories, logs and the progress line. */
  public String dirName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
