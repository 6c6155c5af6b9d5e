package io.stagewise.trainer.train.dpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.FrozenReference;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.preference.PreferenceObjective;

/**
 * Direct preference optimisation against a frozen reference model (the SFT model the policy starts from; for a
 * LoRA policy the policy itself with its adapters off, {@link FrozenReference}).
 *
 * <p>A sequence's log-probability is the sum of its response tokens' log-probabilities (the mean for IPO, as
 * TRL does). The reference's parameters stop requiring gradients when this objective is built, so its forward
 * pass records no graph and backward never reaches it; its log-probabilities are computed once per
 * (micro-)batch and enter the loss as constants. The policy runs without dropout (TRL's
 * {@code disable_dropout} default): dropout would make the log-ratios noisy even at the reference point.
 *
 * <p>Reported rewards are TRL's implicit rewards {@code β·(log π − log π_ref)} of the chosen and rejected
 * responses.
 */
public final class DpoObjective implements PreferenceObjective {

  private static final NDIndex WITHOUT_LAST = new NDIndex(":, :-1");
  private static final NDIndex AFTER_FIRST = new NDIndex(":, 1:");

  private final FrozenReference reference;
  private final DpoConfig config;

  /** Freezes {@code reference} for good: it must not be trained afterwards. */
  public DpoObjective(GptModel reference, DpoConfig config) {
    this(FrozenReference.copy(reference), config);
  }

  public DpoObjective(FrozenReference reference, DpoConfig config) {
    if (reference.model().config().head() != Head.LM) {
      throw new IllegalArgumentException("the DPO reference needs head=lm, got head="
          + reference.model().config().head().specName());
    }
    this.reference = reference;
    this.config = config;
  }

  @Override
  public ObjectiveKind kind() {
    return ObjectiveKind.DPO;
  }

  /** One more token than the context: row t + 1 is the target of position t. */
  @Override
  public int width(int contextLength) {
    return contextLength + 1;
  }

  @Override
  public PairLoss forward(GptModel policy, ParameterStore store, PreferenceBatch batch, NDManager manager,
      boolean training) {
    NDArray tokens = batch.tokens(manager);
    NDArray mask = batch.responseMask(manager);
    NDList input = new NDList(tokens.get(WITHOUT_LAST));
    NDArray referenceLogits = reference.run(model -> model.forward(new ParameterStore(manager, false), input, false))
        .get(0);
    NDArray referenceLogProbs = sequenceLogProbs(config, referenceLogits, tokens, mask).stopGradient();
    NDList outputs = policy.forward(store, input, false);
    return loss(config, outputs.get(0), outputs.get(1), tokens, mask, referenceLogProbs, manager);
  }

  @Override
  public long tokens(PreferenceBatch batch) {
    return 2L * batch.pairs() * inputLength(batch);
  }

  @Override
  public double trainingFlops(ModelConfig config, LoraConfig lora, PreferenceBatch batch) {
    long rows = 2L * batch.pairs();
    int positions = inputLength(batch);
    return FlopCounter.trainingFlops(config, lora, rows, positions) + FlopCounter.forwardFlops(config, rows, positions);
  }

  /** Positions the models read per row: every token but the last, which is only a target. */
  private static int inputLength(PreferenceBatch batch) {
    return batch.width() - 1;
  }

  /**
   * The DPO loss from the policy's logits, the model-free core that the tests check by hand.
   *
   * @param policyLogits (2P, width − 1, vocab) for the batch's tokens without their last column
   * @param auxLoss scalar added to the result's {@code auxLoss} unchanged
   * @param tokens (2P, width): P chosen rows then P rejected rows
   * @param mask (2P, width) response mask
   * @param referenceLogProbs (2P) the reference's sequence log-probabilities, constants
   */
  static PairLoss loss(DpoConfig config, NDArray policyLogits, NDArray auxLoss, NDArray tokens, NDArray mask,
      NDArray referenceLogProbs, NDManager manager) {
    int pairs = Math.toIntExact(tokens.getShape().get(0) / 2);
    NDArray logRatios = sequenceLogProbs(config, policyLogits, tokens, mask).sub(referenceLogProbs);
    NDArray chosen = logRatios.get(new NDIndex(":{}", pairs));
    NDArray rejected = logRatios.get(new NDIndex("{}:", pairs));
    NDArray h = chosen.sub(rejected);
    NDArray beta = manager.create((float) config.beta());
    NDArray losses = switch (config.loss()) {
      case SIGMOID -> Activation.softPlus(h.mul(beta).neg());
      case IPO -> h.sub(manager.create((float) (1 / (2 * config.beta())))).square();
    };
    return new PairLoss(losses.sum(), auxLoss, chosen.stopGradient().mul(beta),
        rejected.stopGradient().mul(beta));
  }

  /** (rows) log-probability of each row's response tokens: summed, or averaged for IPO. */
  static NDArray sequenceLogProbs(DpoConfig config, NDArray logits, NDArray tokens, NDArray mask) {
    NDArray targets = tokens.get(AFTER_FIRST).toType(DataType.INT64, false).expandDims(-1);
    NDArray counted = mask.get(AFTER_FIRST);
    NDArray perToken = logits.logSoftmax(-1).gather(targets, -1).squeeze(-1).mul(counted);
    NDArray sum = perToken.sum(new int[] {1});
    if (config.loss() != DpoConfig.Loss.IPO) {
      return sum;
    }
    // A row whose only response token sits at position 0 has no target; it averages to 0, not 0/0.
    NDArray one = counted.getManager().create(1f);
    return sum.div(counted.sum(new int[] {1}).maximum(one));
  }
}
