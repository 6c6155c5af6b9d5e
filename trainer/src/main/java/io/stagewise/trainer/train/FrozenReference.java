package io.stagewise.trainer.train;

import ai.djl.nn.Parameter;
import io.stagewise.trainer.model.GptModel;
import java.util.function.Function;

/**
 * The frozen reference of DPO and PPO: either a frozen copy of the model the policy starts from, or, for a LoRA
 * policy, the policy itself with its adapters off, which computes exactly its frozen base (PEFT's way: no second
 * copy of the base in memory).
 */
public final class FrozenReference {

  private final GptModel model;
  private final boolean adaptersOff;

  private FrozenReference(GptModel model, boolean adaptersOff) {
    this.model = model;
    this.adaptersOff = adaptersOff;
  }

  /** A separate copy of the starting model, frozen for good here: it must not be trained afterwards. */
  public static FrozenReference copy(GptModel startingModel) {
    for (Parameter p : startingModel.getParameters().values()) {
      p.getArray().setRequiresGradient(false);
    }
    return new FrozenReference(startingModel, false);
  }

  /** The base of a LoRA {@code policy}: the policy with its adapters off. */
  public static FrozenReference baseOf(GptModel policy) {
    if (policy.lora() == null) {
      throw new IllegalArgumentException("the policy has no LoRA adapters, so it has no frozen base to refer to");
    }
    return new FrozenReference(policy, true);
  }

  /** The reference for {@code policy}: its base under LoRA, otherwise the frozen {@code startingModel}. */
  public static FrozenReference of(GptModel policy, java.util.function.Supplier<GptModel> startingModel) {
    return policy.lora() != null ? baseOf(policy) : copy(startingModel.get());
  }

  /** The network the reference runs on (the policy itself when it is the policy's base). */
  public GptModel model() {
    return model;
  }

  /** Runs a forward of the reference: {@code forward} receives the network, with the adapters off if need be. */
  public <T> T run(Function<GptModel, T> forward) {
    return adaptersOff ? model.withoutAdapters(() -> forward.apply(model)) : forward.apply(model);
  }
}
