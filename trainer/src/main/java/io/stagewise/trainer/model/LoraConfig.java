package io.stagewise.trainer.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Low-rank adapters (LoRA, Hu et al. 2021, as PEFT's {@code LoraConfig}) on some of the model's linear layers:
 * a targeted layer computes {@code W x + b + (alpha / r) · B A dropout(x)} with A (r × in) and B (out × r) the
 * only trained matrices of the layer. Validated once here; every problem names its field under {@code lora.}
 * (the caller's section adds its own prefix).
 *
 * @param r the adapters' rank, at least 1
 * @param alpha the scale numerator: the adapter's output is multiplied by {@code alpha / r}
 * @param dropout dropout on the adapter's input while training, in [0, 1)
 * @param targets the linear layers to adapt, by their name in a block ({@link #LINEAR_LAYERS}), or
 *     {@link #ALL_LINEAR} for every one the model has; the LM head and the embeddings are never adapted (PEFT's
 *     {@code all-linear} leaves the output layer out too)
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targets) {

  /** Shorthand for every linear layer of the model's blocks. */
  public static final String ALL_LINEAR = "all-linear";
  /** The linear layers of a block, as {@link LoraConfig#targets} names them. */
  public static final List<String> LINEAR_LAYERS = List.of("attention.qkv", "attention.proj", "mlp.fc", "mlp.proj",
      "mlp.gate", "mlp.up", "mlp.down");

  public LoraConfig {
    List<String> errors = new ArrayList<>();
    if (r < 1) {
      errors.add("lora.r: must be >= 1, got " + r);
    }
    if (!(alpha > 0 && Double.isFinite(alpha))) {
      errors.add("lora.alpha: must be a positive finite number, got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      errors.add("lora.dropout: must be in [0, 1), got " + dropout);
    }
    if (targets == null || targets.isEmpty()) {
      errors.add("lora.targets: must name the linear layers to adapt (" + String.join(", ", LINEAR_LAYERS)
          + ") or " + ALL_LINEAR);
    } else {
      for (String target : targets) {
        if (!ALL_LINEAR.equals(target) && !LINEAR_LAYERS.contains(target)) {
          errors.add("lora.targets: unknown layer '" + target + "', expected some of " + LINEAR_LAYERS + " or "
              + ALL_LINEAR);
        }
      }
      targets = List.copyOf(targets);
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
  }

  /** The multiplier of the adapter's output, {@code alpha / r} (PEFT's default scaling). */
  public float scale() {
    return (float) (alpha / r);
  }

  /** The linear layers of a block of {@code model}, as targets name them. */
  public static List<String> linearLayers(ModelConfig model) {
    return switch (model.mlp()) {
      case DENSE, MOE -> List.of("attention.qkv", "attention.proj", "mlp.fc", "mlp.proj");
      case SWIGLU -> List.of("attention.qkv", "attention.proj", "mlp.gate", "mlp.up", "mlp.down");
    };
  }

  /**
   * The layers adapted in {@code model}: {@link #ALL_LINEAR} expanded to the model's linear layers.
   *
   * @throws IllegalArgumentException naming {@code lora.targets} when a target is not a layer of this model
   */
  public Set<String> adaptedLayers(ModelConfig model) {
    List<String> present = linearLayers(model);
    Set<String> adapted = new LinkedHashSet<>();
    List<String> absent = new ArrayList<>();
    for (String target : targets) {
      if (ALL_LINEAR.equals(target)) {
        adapted.addAll(present);
      } else if (present.contains(target)) {
        adapted.add(target);
      } else {
        absent.add(target);
      }
    }
    if (!absent.isEmpty()) {
      throw new IllegalArgumentException("lora.targets: " + absent + " not linear layers of this model (mlp: "
          + model.mlp().specName() + " has " + present + ")");
    }
    return adapted;
  }
}
