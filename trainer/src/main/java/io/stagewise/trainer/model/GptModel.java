package io.stagewise.trainer.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decoder-only transformer (GPT-2 layout with the switches of {@link ModelConfig}) as a DJL block.
 *
 * <p>{@code forward(parameterStore, inputs, training)} takes {@code inputs = NDList(tokens)} or
 * {@code NDList(tokens, attentionMask)}: tokens are int32/int64 (B, T); the optional mask is (B, T) with 1
 * for real tokens and 0 for padding (any integer or boolean type). With a mask, padding keys are hidden
 * from every query and each token's position is the number of real tokens before it, so a left-padded
 * row computes exactly what the unpadded row would. Without a mask positions are 0..T−1 and right
 * padding needs no mask (causality keeps it from affecting earlier tokens). It returns
 * {@code NDList(output, auxLoss)}: logits float32 (B, T, vocab) for {@link Head#LM} or values float32
 * (B, T) for {@link Head#SCALAR}, and the scalar MoE load-balancing loss (already weighted by
 * {@code moeLossWeight}; zero for dense models) to add to the training loss.
 *
 * <p>All temporaries are attached to the manager of the tokens array: run each step with the tokens in
 * a sub-manager that is closed after backward. Dropout masks come from the model's own
 * {@link #dropoutStream()}, which the trainer positions before each step; everything else is deterministic.
 *
 * <p>Parameter names follow nanoGPT: {@code wte.weight}, {@code wpe.weight} (learned positions),
 * {@code blocks.<i>.norm1|norm2.weight|bias}, {@code blocks.<i>.attention.qkv|proj.weight|bias},
 * {@code blocks.<i>.mlp.fc|proj.weight|bias} or {@code blocks.<i>.moe.router.weight} and
 * {@code blocks.<i>.moe.experts.<e>.fc|proj.weight|bias}, {@code final_norm.weight|bias} (present for every
 * {@code norm}, see {@link ModelConfig#finalNorm}),
 * {@code lm_head.weight} (untied only), {@code value_head.weight|bias} (scalar head). An expert that
 * receives no token in a step has a zero gradient.
 *
 * <p>With {@link LoraConfig} adapters ({@link #create(ModelConfig, LoraConfig, NDManager, long)}) each targeted
 * linear layer also has {@code <layer>.lora_a} and {@code <layer>.lora_b} (e.g.
 * {@code blocks.0.attention.qkv.lora_a}); only they and a scalar head train ({@link #trains}), the rest is the
 * frozen base: its arrays record no gradient. {@link #withoutAdapters} runs the base alone (DPO's and PPO's
 * reference), {@link #merged} folds the adapters into the weights.
 */
public final class GptModel extends AbstractBlock {

  private static final byte VERSION = 1;

  private final ModelConfig config;
  private final LoraConfig lora;
  private final WeightRegistry weights;
  private final Map<Parameter, LoraAdapter> adapters;
  private final Set<String> adapterParameters = new HashSet<>();
  private boolean adaptersOn = true;
  private String baseLocation;
  private String baseFingerprint;
  private final Parameter tokenEmbedding;
  private final Parameter positionEmbedding;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final Normalization finalNorm;
  private final Parameter headWeight;
  private final Parameter headBias;
  private final DropoutStream dropoutStream = new DropoutStream();

  private GptModel(ModelConfig config, LoraConfig lora) {
    super(VERSION);
    this.config = config;
    this.lora = lora;
    this.weights = new WeightRegistry(this::addParameter, lora, config);
    this.tokenEmbedding = weights.matrix("wte.weight", 0.02f, config.vocabSize(), config.width());
    this.positionEmbedding = config.position() == Position.LEARNED
        ? weights.matrix("wpe.weight", 0.02f, config.contextLength(), config.width()) : null;
    for (int layer = 0; layer < config.layers(); layer++) {
      blocks.add(new TransformerBlock(config, layer, weights));
    }
    this.finalNorm = new Normalization(config.finalNorm(), "final_norm", config.width(), weights);
    if (config.head() == Head.SCALAR) {
      this.headWeight = weights.matrix("value_head.weight", 0.02f, 1, config.width());
      this.headBias = weights.bias("value_head.bias", 1);
    } else {
      this.headWeight = config.tiedEmbeddings()
          ? tokenEmbedding : weights.matrix("lm_head.weight", 0.02f, config.vocabSize(), config.width());
      this.headBias = null;
    }
    this.adapters = weights.adapters();
    for (String name : getParameters().keys()) {
      if (name.endsWith(".lora_a") || name.endsWith(".lora_b")) {
        adapterParameters.add(name);
      }
    }
  }

  /**
   * Builds the model and initialises it deterministically: matrices and embeddings from N(0, 0.02²),
   * residual output projections from N(0, (0.02/√(2·layers))²), biases 0, norm gains 1. The same config
   * and seed give bit-identical parameters. Parameters are owned by {@code manager} and require gradients.
   *
   * @throws UnsupportedOperationException for {@code attention=fused} (the engine has no such kernel)
   */
  public static GptModel create(ModelConfig config, NDManager manager, long seed) {
    return create(config, null, manager, seed);
  }

  /**
   * As {@link #create(ModelConfig, NDManager, long)}, with the LoRA adapters {@code lora} names (none when null):
   * every adapter starts as the identity (B = 0), and the parameters that do not {@link #trains train} record no
   * gradient.
   *
   * @throws IllegalArgumentException naming {@code lora.targets} when a target is not a layer of this model
   */
  public static GptModel create(ModelConfig config, LoraConfig lora, NDManager manager, long seed) {
    GptModel model = new GptModel(config, lora);
    model.weights.initialize(manager, seed);
    // Records the input shape and switches gradients on; the arrays set above are kept.
    model.initialize(manager, DataType.FLOAT32, new Shape(1, config.contextLength()));
    model.freezeBase();
    return model;
  }

  public ModelConfig config() {
    return config;
  }

  /** The adapters' configuration, or null for a model without LoRA. */
  public LoraConfig lora() {
    return lora;
  }

  /**
   * Whether the named parameter trains: every parameter without LoRA; with it the adapters and a scalar head
   * only (as PEFT's {@code modules_to_save} for a sequence classifier's {@code score}: a fresh head must learn).
   */
  public boolean trains(String parameterName) {
    return lora == null || adapterParameters.contains(parameterName) || parameterName.startsWith("value_head.");
  }

  /** Runs {@code body} with the adapters off: the model computes what its frozen base computes. */
  public <T> T withoutAdapters(Supplier<T> body) {
    boolean was = adaptersOn;
    adaptersOn = false;
    try {
      return body.get();
    } finally {
      adaptersOn = was;
    }
  }

  /**
   * A model without adapters computing this one's function: each adapted weight becomes W + (alpha/r)·B·A, every
   * other parameter is copied. Owned by {@code manager}; equal to this model to float rounding.
   */
  public GptModel merged(NDManager manager) {
    GptModel merged = create(config, manager, 0);
    Map<String, LoraAdapter> byWeight = new HashMap<>();
    adapters.forEach((weight, adapter) -> byWeight.put(weight.getName(), adapter));
    LoraAdapter.fold(getParameters().toMap(), byWeight, merged.getParameters().values());
    return merged;
  }

  /** Whether the named parameter is one of a LoRA adapter's two matrices. */
  public boolean isAdapterParameter(String parameterName) {
    return adapterParameters.contains(parameterName);
  }

  /**
   * SHA-256 (hex) of the parameters that do not train, by name, shape and float32 values in declaration order:
   * the identity of the base a LoRA checkpoint's adapters belong to (every parameter of a model without adapters,
   * which is all base). Computed once the base is
   * {@link #recordBase recorded} (the base is frozen from then on), afresh before.
   */
  public String baseFingerprint() {
    return baseFingerprint != null ? baseFingerprint
        : WeightFingerprint.of(getParameters(), name -> lora == null || !trains(name));
  }

  /**
   * Records where the frozen base's weights were loaded from (a location checkpoints name it by) once they are in
   * place, and fixes its fingerprint.
   */
  public void recordBase(String location) {
    this.baseFingerprint = null;
    this.baseFingerprint = baseFingerprint();
    this.baseLocation = location;
  }

  /** Where the frozen base was loaded from ({@link #recordBase}), or null. */
  public String baseLocation() {
    return baseLocation;
  }

  private void freezeBase() {
    for (Pair<String, Parameter> p : getParameters()) {
      p.getValue().getArray().setRequiresGradient(trains(p.getKey()));
    }
  }

  /** The stream this model's dropout masks are drawn from (one per model, so one per worker). */
  public DropoutStream dropoutStream() {
    return dropoutStream;
  }

  /** Number of trainable scalars (a tied embedding counted once). */
  public long parameterCount() {
    return weights.count();
  }

  /**
   * Whether the optimizer applies weight decay to the named parameter: matrices and embeddings decay
   * (nanoGPT's rule: every parameter with two or more dimensions), biases and norm gains/shifts do not.
   */
  public boolean decays(String parameterName) {
    Parameter parameter = getParameters().get(parameterName);
    if (parameter == null) {
      throw new IllegalArgumentException("unknown parameter '" + parameterName + "'");
    }
    return parameter.getShape().dimension() >= 2;
  }

  /**
   * Copies every parameter that {@code source} holds under the same name and shape, e.g. an SFT
   * model's backbone into a reward model or a frozen reference copy for DPO.
   *
   * @return the names of this model's parameters left unchanged (absent from the source or reshaped)
   */
  public List<String> copyParametersFrom(GptModel source) {
    Map<String, Parameter> theirs = source.getParameters().toMap();
    List<String> untouched = new ArrayList<>();
    for (Parameter mine : getParameters().values()) {
      Parameter match = theirs.get(mine.getName());
      if (match != null && match.getShape().equals(mine.getShape())) {
        match.getArray().copyTo(mine.getArray());
      } else {
        untouched.add(mine.getName());
      }
    }
    return untouched;
  }

  /** Parameters that take weight decay, in declaration order. */
  public List<Parameter> decayed() {
    return getParameters().values().stream().filter(p -> decays(p.getName())).toList();
  }

  /** Parameters that take no weight decay, in declaration order. */
  public List<Parameter> notDecayed() {
    return getParameters().values().stream().filter(p -> !decays(p.getName())).toList();
  }

  @Override
  protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
      PairList<String, Object> params) {
    if (inputs.isEmpty() || inputs.size() > 2) {
      throw new IllegalArgumentException("GptModel expects NDList(tokens) or NDList(tokens, attentionMask), got "
          + inputs.size() + " arrays");
    }
    return forward(parameterStore, inputs.get(0), inputs.size() == 2 ? inputs.get(1) : null, null, training);
  }

  /**
   * The forward pass with an optional KV cache (for generation). With a cache, {@code tokens} are the
   * new tokens only and {@code attentionMask}, when given, covers the cached and the new tokens
   * (B, cache.length() + T). The cache receives the new keys and values.
   */
  public NDList forward(ParameterStore parameterStore, NDArray tokens, NDArray attentionMask, KvCache cache,
      boolean training) {
    return forward(newPass(parameterStore, tokens, attentionMask, cache == null ? 0 : cache.length(), training),
        tokens, cache);
  }

  /**
   * The forward pass over rows that each hold several sequences back to back ({@link PackedSegments}, covering
   * at least the tokens' columns): every sequence computes what it would alone in a row of its own.
   *
   * @throws UnsupportedOperationException for {@code attention=sparse}, whose key blocks would straddle sequences
   */
  public NDList forwardPacked(ParameterStore parameterStore, NDArray tokens, PackedSegments segments,
      boolean training) {
    if (config.attention() == ModelConfig.Attention.SPARSE) {
      throw new UnsupportedOperationException("train.packing=true: model.attention="
          + ModelConfig.Attention.SPARSE.specName() + " selects key blocks that would straddle packed sequences; "
          + "use packing=false or another attention kernel");
    }
    int[] shape = checkedShape(tokens, 0);
    SequenceLayout layout = SequenceLayout.packed(segments, shape[0], shape[1]);
    return forward(newPass(parameterStore, tokens.getManager(), layout, shape[0], 0, training), tokens, null);
  }

  private NDList forward(ForwardPass pass, NDArray tokens, KvCache cache) {
    NDArray ids = tokens.toType(DataType.INT64, false);
    NDArray x = embed(ids, tokenEmbedding, pass);
    if (positionEmbedding != null) {
      NDArray positions = pass.manager.create(flatten(pass.positions),
          new Shape(pass.positions.length, pass.newTokens));
      x = x.add(embed(positions, positionEmbedding, pass));
    }
    x = pass.dropout(x);
    for (TransformerBlock block : blocks) {
      x = block.forward(x, pass, cache);
    }
    if (cache != null) {
      cache.advance(pass.newTokens);
    }
    x = finalNorm.apply(x, pass);
    NDArray output = pass.linear(x, headWeight, headBias);
    if (config.head() == Head.SCALAR) {
      output = output.squeeze(2);
    }
    return new NDList(output, pass.auxLoss());
  }

  private ForwardPass newPass(ParameterStore store, NDArray tokens, NDArray mask, int past, boolean training) {
    int[] shape = checkedShape(tokens, past);
    SequenceLayout layout = mask == null
        ? SequenceLayout.unpadded(past, shape[1]) : SequenceLayout.of(mask, shape[0], past, shape[1]);
    return newPass(store, tokens.getManager(), layout, shape[0], past, training);
  }

  /** (batch, steps) of a token array, checked to be 2-D and to fit the context after {@code past} cached keys. */
  private int[] checkedShape(NDArray tokens, int past) {
    Shape shape = tokens.getShape();
    if (shape.dimension() != 2) {
      throw new IllegalArgumentException("tokens must be (batch, time), got shape " + shape);
    }
    int batch = Math.toIntExact(shape.get(0));
    int steps = Math.toIntExact(shape.get(1));
    if (past + steps > config.contextLength()) {
      throw new IllegalArgumentException("sequence of " + (past + steps) + " tokens exceeds model.contextLength="
          + config.contextLength());
    }
    return new int[] {batch, steps};
  }

  /** A pass over the tokens {@code layout} describes: its biases as arrays, the dropout stream, RoPE tables. */
  private ForwardPass newPass(ParameterStore store, NDManager manager, SequenceLayout layout, int batch, int past,
      boolean training) {
    int steps = layout.positions()[0].length;
    NDArray paddingBias = layout.paddingBias() == null ? null
        : manager.create(layout.paddingBias(), scoreShape(batch, 1, past + steps));
    ForwardPass pass = new ForwardPass(store, manager, training, config.dropout(), steps, past,
        layout.positions(), paddingBias);
    pass.realTokens = layout.realTokens();
    if (layout.segmentBias() != null) {
      pass.segmentBias = manager.create(layout.segmentBias(), scoreShape(batch, steps, steps));
    }
    pass.dropoutStream = dropoutStream;
    pass.adapters = adaptersOn ? adapters : Map.of();
    if (config.position() == Position.ROPE) {
      pass.rotary = new RotaryEmbedding(pass, config.headDim());
    }
    return pass;
  }

  /** (B, 1, …, 1, queries, keys): a bias per row, broadcast over the head axes of the attention scores. */
  private Shape scoreShape(int batch, int queries, int keys) {
    long[] dims = new long[CausalSelfAttention.scoreRank(config)];
    Arrays.fill(dims, 1);
    dims[0] = batch;
    dims[dims.length - 2] = queries;
    dims[dims.length - 1] = keys;
    return new Shape(dims);
  }

  private static NDArray embed(NDArray ids, Parameter table, ForwardPass pass) {
    return ids.getNDArrayInternal().embedding(ids, pass.value(table), SparseFormat.DENSE).singletonOrThrow();
  }

  private static long[] flatten(long[][] rows) {
    long[] flat = new long[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * rows[r].length, rows[r].length);
    }
    return flat;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape tokens = inputShapes[0];
    Shape output = config.head() == Head.SCALAR ? tokens : new Shape(tokens.get(0), tokens.get(1), config.vocabSize());
    return new Shape[] {output, new Shape()};
  }

  /**
   * Loads parameters written by {@link #saveParameters}, checking every shape against this model's
   * configuration, then releases the replaced arrays and switches gradients back on.
   */
  @Override
  public void loadParameters(NDManager manager, DataInputStream is) throws IOException, MalformedModelException {
    Map<String, Parameter> byName = getParameters().toMap();
    Map<String, NDArray> previous = new java.util.LinkedHashMap<>();
    byName.forEach((name, p) -> previous.put(name, p.getArray()));
    super.loadParameters(manager, is);
    for (Map.Entry<String, Parameter> entry : byName.entrySet()) {
      NDArray loaded = entry.getValue().getArray();
      Shape expected = previous.get(entry.getKey()).getShape();
      if (!loaded.getShape().equals(expected)) {
        throw new MalformedModelException("parameter " + entry.getKey() + " has shape " + loaded.getShape()
            + " in the file but " + expected + " in the model config");
      }
      loaded.setRequiresGradient(trains(entry.getKey()));
    }
    previous.values().forEach(NDArray::close);
  }
}
