package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * Token-choice mixture of experts (Switch / GShard): a linear router scores every expert, each token goes
 * to its {@code topK} best experts, and their outputs are mixed with gates from the router's softmax. With
 * k ≥ 2 the gates are the probabilities renormalised over the chosen k (GShard, Mixtral); with k = 1 the gate
 * is the router probability itself (Switch), since renormalising one probability gives exactly 1 and would
 * leave the router no gradient from the task loss. Routing is dropless (no expert capacity); padding tokens
 * are routed like any other (their outputs are never used). Each expert only runs on the tokens routed to it,
 * so compute matches the active-expert FLOP count. Reports the load-balancing loss
 * {@code weight × E × Σ_e f_e · P_e / layers} (f_e: share of routing slots given to e, P_e: mean router
 * probability of e), averaged over layers like the HF Mixtral implementation, through
 * {@link ForwardPass#addAuxLoss}. f and P count real tokens only when the pass knows the padding (an attention
 * mask was given). They are the statistics of one forward call: the trainer adds each micro-batch's term
 * divided by the number of micro-batches, which is not the whole batch's term (architecture Departure 20).
 */
final class MixtureOfExperts implements FeedForward {

  private final int topK;
  private final float lossScale;
  private final Parameter router;
  private final DenseMlp[] experts;

  MixtureOfExperts(ModelConfig config, String name, WeightRegistry weights, float residualStd) {
    this.topK = config.topK();
    this.lossScale = config.moeLossWeight() * config.experts() / config.layers();
    this.router = weights.matrix(name + ".router.weight", 0.02f, config.experts(), config.width());
    this.experts = new DenseMlp[config.experts()];
    for (int e = 0; e < experts.length; e++) {
      experts[e] = new DenseMlp(name + ".experts." + e, config.width(), config.mlpHidden(), weights, residualStd);
    }
  }

  @Override
  public NDArray forward(NDArray x, ForwardPass pass) {
    Shape shape = x.getShape();
    int tokens = Math.toIntExact(shape.get(0) * shape.get(1));
    NDArray flat = x.reshape(tokens, shape.get(2));
    NDArray probabilities = pass.linear(flat, router, null).softmax(1);
    NDList best = probabilities.topK(topK, 1, true, true);
    NDArray gates = topK == 1 ? best.get(0) : best.get(0).div(best.get(0).sum(new int[] {1}, true));
    long[] chosen = best.get(1).toLongArray();
    Routing routing = Routing.of(chosen, experts.length, topK);

    NDList expertOutputs = new NDList();
    for (int e = 0; e < experts.length; e++) {
      if (routing.count(e) > 0) {
        NDArray rows = pass.manager.create(routing.tokensOf(e));
        expertOutputs.add(experts[e].forward(flat.get(rows), pass));
      }
    }
    NDArray bySlot = NDArrays.concat(expertOutputs, 0).get(pass.manager.create(routing.slotOrder()));
    NDArray mixed = bySlot.reshape(tokens, topK, shape.get(2)).mul(gates.expandDims(2)).sum(new int[] {1});
    pass.addAuxLoss(loadBalancingLoss(probabilities, chosen, pass));
    return mixed.reshape(shape);
  }

  /** The load-balancing term over the pass's real tokens (all tokens when it knows of no padding). */
  private NDArray loadBalancingLoss(NDArray probabilities, long[] chosen, ForwardPass pass) {
    float[] real = pass.realTokens;
    int tokens = chosen.length / topK;
    float[] weight = new float[tokens];
    float[] routed = new float[experts.length];
    int counted = 0;
    for (int n = 0; n < tokens; n++) {
      if (real == null || real[n] != 0f) {
        counted++;
        weight[n] = 1f;
        for (int s = 0; s < topK; s++) {
          routed[(int) chosen[n * topK + s]]++;
        }
      }
    }
    if (counted == 0) {
      return pass.scalar(0f);
    }
    float[] share = new float[experts.length];
    for (int e = 0; e < share.length; e++) {
      share[e] = lossScale * routed[e] / ((float) counted * topK);
    }
    for (int n = 0; n < tokens; n++) {
      weight[n] /= counted;
    }
    // The routed share is a count, constant for autograd; the gradient flows through the mean probability.
    NDArray meanProbability = real == null ? probabilities.mean(new int[] {0})
        : probabilities.mul(pass.manager.create(weight, new Shape(tokens, 1))).sum(new int[] {0});
    return meanProbability.mul(pass.manager.create(share)).sum();
  }

  /**
   * Routing slots (token n, rank s) → expert, grouped by expert with a stable counting sort so that
   * each expert's tokens are contiguous and in token order. {@code slotOrder[slot]} is the row of that
   * slot in the expert-grouped output.
   */
  record Routing(int topK, int[] offsets, long[] slotsByExpert, long[] slotOrder) {

    static Routing of(long[] chosen, int experts, int topK) {
      int[] offsets = new int[experts + 1];
      for (long e : chosen) {
        offsets[(int) e + 1]++;
      }
      for (int e = 0; e < experts; e++) {
        offsets[e + 1] += offsets[e];
      }
      int[] next = offsets.clone();
      long[] byExpert = new long[chosen.length];
      long[] order = new long[chosen.length];
      for (int slot = 0; slot < chosen.length; slot++) {
        int at = next[(int) chosen[slot]]++;
        byExpert[at] = slot;
        order[slot] = at;
      }
      return new Routing(topK, offsets, byExpert, order);
    }

    int slots() {
      return slotsByExpert.length;
    }

    int count(int expert) {
      return offsets[expert + 1] - offsets[expert];
    }

    /** Tokens routed to {@code expert}, ascending. */
    long[] tokensOf(int expert) {
      long[] tokens = new long[count(expert)];
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = slotsByExpert[offsets[expert] + i] / topK;
      }
      return tokens;
    }
  }
}
