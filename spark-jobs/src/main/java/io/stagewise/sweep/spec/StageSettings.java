package io.stagewise.sweep.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.TrainConfig;

/**
 * Hyperparameters of each stage of the {@code sft-dpo} and {@code sft-rm-ppo} pipelines. Each training section is a
 * {@link TrainConfig} overlay (defaults plus what the spec names); the stage-specific knobs are kept as the
 * validated YAML mapping so that they enter artifact keys verbatim.
 *
 * @param sft supervised fine-tuning of the base model on the (poisoned) SFT set
 * @param dpo direct preference optimisation of the SFT model on the (poisoned) preference set ({@code sft-dpo})
 * @param dpoOptions {@code beta} and {@code loss} of DPO
 * @param ppo PPO's optimisation settings ({@code sft-rm-ppo}; null otherwise): {@code steps} counts iterations,
 *     {@code batch_size} the prompts of one
 * @param ppoOptions PPO's own knobs ({@code sft-rm-ppo}; null otherwise)
 * @param rewardModel every reward model's training (the clean one for the clean-RM gap and real-data utility;
 *     in {@code sft-rm-ppo} also the poisoned one PPO optimises)
 * @param rewardModelSpec the model of the reward models trained from scratch (its preset with the spec's model
 *     overrides); null when they start from {@code rewardModelInit}
 * @param eval how the evaluation generates and judges
 * @param rewardModelInit {@code hf:DIR}: every reward model starts from this Hugging Face model's backbone (its
 *     architecture too) under a fresh scalar head, as the reference's reward models start from the pretrained
 *     model; null to train them from scratch
 * @param sftInit {@code hf:DIR}: every SFT model starts from this Hugging Face model (its architecture too), as
 *     researchers post-train pretrained models; null to train them from scratch with the grid's presets
 */
public record StageSettings(
    TrainConfig sft,
    TrainConfig dpo,
    DpoOptions dpoOptions,
    TrainConfig ppo,
    PpoOptions ppoOptions,
    TrainConfig rewardModel,
    ModelSpec rewardModelSpec,
    EvalSettings eval,
    String rewardModelInit,
    String sftInit) {

  /**
   * DPO's own knobs (mapped onto the trainer's DPO configuration by the DPO stage).
   *
   * @param beta inverse temperature of the implicit reward (default 0.1)
   * @param loss {@code sigmoid} (the DPO paper) or {@code ipo}
   */
  public record DpoOptions(double beta, String loss) {
    public static final double DEFAULT_BETA = 0.1;

    public DpoOptions {
      if (!(beta > 0 && Double.isFinite(beta))) {
        throw new IllegalArgumentException("dpo.beta: must be a positive number, got " + beta);
      }
      if (!"sigmoid".equals(loss) && !"ipo".equals(loss)) {
        throw new IllegalArgumentException("dpo.loss: must be sigmoid or ipo, got '" + loss + "'");
      }
    }
  }

  /**
   * The evaluation stage.
   *
   * @param maxNewTokens greedy tokens generated per prompt
   * @param harmfulPrompts held-out harmful prompts evaluated (with and without each trigger); 0 = all
   * @param benignPrompts held-out benign prompts evaluated for utility; 0 = all
   * @param batchSize prompts generated together
   */
  public record EvalSettings(int maxNewTokens, int harmfulPrompts, int benignPrompts, int batchSize) {
    public EvalSettings {
      if (maxNewTokens < 1 || harmfulPrompts < 0 || benignPrompts < 0 || batchSize < 1) {
        throw new IllegalArgumentException("eval: max_new_tokens and batch_size must be >= 1, prompt counts >= 0");
      }
    }

    public ObjectNode toJson(ObjectNode into) {
      return into.put("max_new_tokens", maxNewTokens).put("harmful_prompts", harmfulPrompts)
          .put("benign_prompts", benignPrompts).put("batch_size", batchSize);
    }
  }
}
