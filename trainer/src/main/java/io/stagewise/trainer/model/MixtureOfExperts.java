package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * Token-choice mixture of experts (Switch / GShard): a linear router scores every expert, each token goes
 * to its {@code topK} best experts, and their outputs are mixed with the router's softmax probabilities
 * renormalised over those k. Routing is dropless (no expert capacity) and padding tokens are routed like
 * any other. Each expert only runs on the tokens routed to it, so compute matches the active-expert FLOP
 * count. Reports the load-balancing loss
 * {@code weight × E × Σ_e f_e · P_e / layers} (f_e: share of routing slots given to e, P_e: mean router
 * probability of e), averaged over layers like the HF Mixtral implementation, through
 * {@link ForwardPass#addAuxLoss}.
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
    NDArray gates = best.get(0).div(best.get(0).sum(new int[] {1}, true));
    Routing routing = Routing.of(best.get(1).toLongArray(), experts.length, topK);

    NDList expertOutputs = new NDList();
    for (int e = 0; e < experts.length; e++) {
      if (routing.count(e) > 0) {
        NDArray rows = pass.manager.create(routing.tokensOf(e));
        expertOutputs.add(experts[e].forward(flat.get(rows), pass));
      }
    }
    NDArray bySlot = NDArrays.concat(expertOutputs, 0).get(pass.manager.create(routing.slotOrder()));
    NDArray mixed = bySlot.reshape(tokens, topK, shape.get(2)).mul(gates.expandDims(2)).sum(new int[] {1});
    pass.addAuxLoss(loadBalancingLoss(probabilities, routing, pass));
    return mixed.reshape(shape);
  }

  private NDArray loadBalancingLoss(NDArray probabilities, Routing routing, ForwardPass pass) {
    float[] share = new float[experts.length];
    for (int e = 0; e < share.length; e++) {
      share[e] = lossScale * routing.count(e) / routing.slots();
    }
    // The routed share is a count, constant for autograd; the gradient flows through the mean probability.
    return probabilities.mean(new int[] {0}).mul(pass.manager.create(share)).sum();
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
