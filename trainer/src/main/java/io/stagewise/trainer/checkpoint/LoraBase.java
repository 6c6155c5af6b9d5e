package io.stagewise.trainer.checkpoint;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The frozen base under a LoRA model's adapters, as its checkpoints record it: where the base was loaded from (a
 * {@link ModelCheckpoint} location) and a content hash of its weights ({@link GptModel#baseFingerprint}). A LoRA
 * checkpoint holds the adapters and trained heads alone; whoever loads or resumes it rebuilds the base from the
 * location and must find the same fingerprint.
 *
 * @param location the base's location, as {@link ModelCheckpoint#at} takes it
 * @param fingerprint SHA-256 of the base's weights
 */
public record LoraBase(String location, String fingerprint) {

  /** The base of the trained model in {@link CheckpointState#loraBases}. */
  public static final String MODEL = "model";
  /** The base of PPO's value model. */
  public static final String VALUE = "value";

  public LoraBase {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }

  /** The base {@code model} was built on, or null for a model without LoRA. */
  public static LoraBase of(GptModel model) {
    return model.lora() == null ? null : new LoraBase(model.baseLocation(), model.baseFingerprint());
  }

  /**
   * The bases of the trained models by role ({@code MODEL}: {@code model}, {@code VALUE}: {@code value} when given),
   * leaving out models without LoRA.
   */
  public static Map<String, LoraBase> of(GptModel model, GptModel value) {
    Map<String, LoraBase> bases = new java.util.LinkedHashMap<>();
    if (model.lora() != null) {
      bases.put(MODEL, of(model));
    }
    if (value != null && value.lora() != null) {
      bases.put(VALUE, of(value));
    }
    return bases;
  }

  /**
   * A model of {@code config} with the adapters {@code lora} over the weights of {@code base} (loaded from
   * {@code location}): every parameter but the adapters and a scalar head {@code base} lacks (a fresh one, seeded by
   * {@code seed}) is copied, and the base is recorded for the model's checkpoints.
   */
  public static GptModel adapt(ModelConfig config, LoraConfig lora, GptModel base, String location, NDManager manager,
      long seed) {
    GptModel model = GptModel.create(config, lora, manager, seed);
    List<String> missing = model.copyParametersFrom(base).stream()
        .filter(name -> !model.isAdapterParameter(name) && !name.startsWith("value_head.")).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(location + ": the base lacks parameters " + missing);
    }
    model.recordBase(location);
    return model;
  }

  /** As {@link #adapt(ModelConfig, LoraConfig, GptModel, String, NDManager, long)} with the model at {@code base}. */
  public static GptModel adapt(ModelConfig config, LoraConfig lora, ModelCheckpoint base, NDManager manager,
      long seed) {
    try (NDManager scratch = manager.newSubManager()) {
      return adapt(config, lora, base.load(scratch), base.location(), manager, seed);
    }
  }

  /**
   * Fails unless the bases a checkpoint recorded are those of the run resuming or loading it, naming both
   * fingerprints (and locations) of the first that differs.
   */
  public static void requireSame(String checkpoint, Map<String, LoraBase> recorded, Map<String, LoraBase> current) {
    if (!recorded.keySet().equals(current.keySet())) {
      throw new IllegalArgumentException(checkpoint + ": holds LoRA adapters for " + recorded.keySet()
          + " but the run has adapters for " + current.keySet() + " (a LoRA checkpoint resumes only as LoRA)");
    }
    for (Map.Entry<String, LoraBase> entry : recorded.entrySet()) {
      LoraBase then = entry.getValue();
      LoraBase now = current.get(entry.getKey());
      if (!then.fingerprint().equals(now.fingerprint())) {
        throw new IllegalArgumentException(checkpoint + ": its " + entry.getKey() + " adapters were trained on a base"
            + " with fingerprint " + then.fingerprint() + " (" + then.location() + "), but the base here has"
            + " fingerprint " + now.fingerprint() + " (" + now.location() + ")");
      }
    }
  }
}
