package io.stagewise.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Declares the model's parameters (name, shape, role) and fills them deterministically.
 *
 * <p>Each parameter draws from its own random stream seeded by (seed, parameter name), so its initial
 * value does not depend on which other parameters exist: an LM model and a scalar-head model built with
 * the same seed share their backbone's initial weights.
 */
final class WeightRegistry {

  /** How one parameter starts: N(0, std²) when std > 0, otherwise the constant. */
  private record Init(Shape shape, float std, float constant) {}

  private final Consumer<Parameter> sink;
  private final Map<Parameter, Init> inits = new LinkedHashMap<>();
  private final LoraConfig lora;
  private final Set<String> adaptedLayers;
  /** The adapter of each adapted layer, by the layer's weight (identity: DJL parameters have no value equality). */
  private final Map<Parameter, LoraAdapter> adapters = new IdentityHashMap<>();

  /** A registry of a model without adapters. */
  WeightRegistry(Consumer<Parameter> sink) {
    this(sink, null, null);
  }

  /** A registry that gives the layers {@code lora} targets in {@code model} an adapter ({@code lora} may be null). */
  WeightRegistry(Consumer<Parameter> sink, LoraConfig lora, ModelConfig model) {
    this.sink = sink;
    this.lora = lora;
    this.adaptedLayers = lora == null ? Set.of() : lora.adaptedLayers(model);
  }

  /** A matrix (or stack of matrices) drawn from N(0, std²); decayed by the optimizer. */
  Parameter matrix(String name, float std, long... shape) {
    return declare(name, Parameter.Type.WEIGHT, new Init(new Shape(shape), std, 0f));
  }

  /** A matrix starting at zero (a fresh LoRA adapter's B). */
  Parameter zeroMatrix(String name, long... shape) {
    return declare(name, Parameter.Type.WEIGHT, new Init(new Shape(shape), 0f, 0f));
  }

  /**
   * The weight {@code <name>.weight} (out × in, drawn from N(0, std²)) of a linear layer that LoRA names
   * {@code layer} ({@link LoraConfig#LINEAR_LAYERS}), with its adapter when the registry's LoRA targets it.
   */
  Parameter linearWeight(String name, String layer, float std, long out, long in) {
    Parameter weight = matrix(name + ".weight", std, out, in);
    if (adaptedLayers.contains(layer)) {
      adapters.put(weight, LoraAdapter.declare(name, out, in, lora, this));
    }
    return weight;
  }

  /** The adapters declared so far, by the weight of their layer; empty without LoRA. */
  Map<Parameter, LoraAdapter> adapters() {
    return Collections.unmodifiableMap(adapters);
  }

  /** A bias vector starting at zero. */
  Parameter bias(String name, long size) {
    return declare(name, Parameter.Type.BIAS, new Init(new Shape(size), 0f, 0f));
  }

  /** A normalisation gain starting at one. */
  Parameter gain(String name, long size) {
    return declare(name, Parameter.Type.GAMMA, new Init(new Shape(size), 0f, 1f));
  }

  /** A normalisation shift starting at zero. */
  Parameter shift(String name, long size) {
    return declare(name, Parameter.Type.BETA, new Init(new Shape(size), 0f, 0f));
  }

  private Parameter declare(String name, Parameter.Type type, Init init) {
    Parameter parameter = Parameter.builder().setName(name).setType(type).build();
    inits.put(parameter, init);
    sink.accept(parameter);
    return parameter;
  }

  /** Total number of scalars declared. */
  long count() {
    return inits.values().stream().mapToLong(i -> i.shape().size()).sum();
  }

  /** Gives every declared parameter its initial value, owned by {@code manager}. */
  void initialize(NDManager manager, long seed) {
    for (Map.Entry<Parameter, Init> entry : inits.entrySet()) {
      Parameter parameter = entry.getKey();
      Init init = entry.getValue();
      float[] values = new float[Math.toIntExact(init.shape().size())];
      if (init.std() > 0f) {
        SplittableRandom random = new SplittableRandom(streamSeed(seed, parameter.getName()));
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * init.std());
        }
      } else if (init.constant() != 0f) {
        java.util.Arrays.fill(values, init.constant());
      }
      // create() may wrap a Java buffer; a native copy owns its memory for the model's lifetime.
      try (NDArray wrapped = manager.create(values, init.shape())) {
        parameter.setArray(wrapped.duplicate());
      }
    }
  }

  /** Mixes the model seed with an FNV-1a hash of the parameter name. */
  private static long streamSeed(long seed, String name) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return new SplittableRandom(seed).split().nextLong() ^ h;
  }
}
