package io.stagewise.trainer.checkpoint;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.interop.HfModelDirectory;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.optim.TrainableParameter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A trained model as later stages use it: the SFT model a DPO run starts from and keeps as its reference, the
 * backbone of a reward model, the policy and the clean reward model an evaluation loads. The location is one
 * committed checkpoint directory ({@code .../checkpoints/step-000000120-w000000001}) or a checkpoints directory, which
 * stands for its latest committed checkpoint. The architecture comes from the checkpoint's {@code state.json}.
 * A location {@code hf:DIR} is a Hugging Face model directory instead ({@link HfModelDirectory}: GPT-2 or
 * Llama layout), so every stage that starts from a trained model can start from an imported one.
 */
public final class ModelCheckpoint {

  /** The scheme of a Hugging Face directory's location: {@code hf:PATH}, PATH any Hadoop path or URI. */
  public static final String HF_SCHEME = "hf";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final ModelConfig config;
  private final CheckpointStore store;
  private final HfModelDirectory hf;
  private final LoraConfig lora;
  private final LoraBase base;
  private final Configuration conf;

  private ModelCheckpoint(Path directory, ModelConfig config, CheckpointStore store, HfModelDirectory hf,
      LoraConfig lora, LoraBase base, Configuration conf) {
    this.directory = directory;
    this.config = config;
    this.store = store;
    this.hf = hf;
    this.lora = lora;
    this.base = base;
    this.conf = conf;
  }

  /** The location of the Hugging Face directory at {@code directory} (an absolute path or a URI). */
  public static URI hfLocation(URI directory) {
    return URI.create(HF_SCHEME + ":" + directory);
  }

  /** Finds the checkpoint (or Hugging Face directory) at {@code location} and reads its model configuration. */
  public static ModelCheckpoint at(URI location, Configuration conf) {
    if (HF_SCHEME.equals(location.getScheme())) {
      HfModelDirectory hf = HfModelDirectory.at(new Path(location.getSchemeSpecificPart()), conf);
      return new ModelCheckpoint(hf.directory(), hf.config(), null, hf, null, null, conf);
    }
    Path path = new Path(location);
    Path directory = CheckpointStore.isCommitted(path, conf) ? path : new CheckpointStore(location, conf, 1).latest()
        .orElseThrow(() -> new IllegalArgumentException(location
            + ": neither a committed checkpoint nor a directory holding one"));
    CheckpointStore store = new CheckpointStore(directory.getParent().toUri(), conf, 1);
    CheckpointState state = store.readState(directory);
    try {
      ModelConfig config = JSON.treeToValue(state.model(), ModelConfig.class);
      LoraBase base = state.loraBases().get(LoraBase.MODEL);
      LoraConfig lora = base == null ? null : JSON.treeToValue(state.train().get("lora"), LoraConfig.class);
      return new ModelCheckpoint(directory, config, store, null, lora, base, conf);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(directory + ": unreadable model configuration: " + e.getMessage(), e);
    }
  }

  /** The committed checkpoint directory (or the Hugging Face directory). */
  public Path directory() {
    return directory;
  }

  /** Where {@link #at} finds this very checkpoint again (not a checkpoints directory's latest at the time). */
  public String location() {
    return hf != null ? hfLocation(directory.toUri()).toString() : directory.toUri().toString();
  }

  /** The architecture the parameters belong to. */
  public ModelConfig config() {
    return config;
  }

  /** The adapters of a LoRA run's checkpoint, or null. */
  public LoraConfig lora() {
    return lora;
  }

  /**
   * A model of {@link #config()} holding the checkpoint's parameters, owned by {@code manager}. A LoRA checkpoint
   * loads its base and adapters ({@link #loadAdapted}) and returns them merged into one model without adapters,
   * which computes the adapted function (to float rounding) wherever a trained model is taken.
   */
  public GptModel load(NDManager manager) {
    if (hf != null) {
      return hf.load(manager);
    }
    if (lora != null) {
      try (NDManager scratch = manager.newSubManager()) {
        return loadAdapted(scratch).merged(manager);
      }
    }
    GptModel model = GptModel.create(config, manager, 0);
    store.loadParameters(directory, trainedParameters(model), manager);
    return model;
  }

  /**
   * A LoRA checkpoint's model with its adapters: the base rebuilt from its recorded location, checked against the
   * recorded fingerprint (a different base is refused naming both), then the checkpoint's adapters and heads.
   */
  public GptModel loadAdapted(NDManager manager) {
    if (lora == null) {
      throw new IllegalStateException(directory + ": not a LoRA checkpoint");
    }
    ModelCheckpoint baseCheckpoint = at(URI.create(base.location()), conf);
    GptModel model;
    try (NDManager scratch = manager.newSubManager()) {
      model = LoraBase.adapt(config, lora, baseCheckpoint.load(scratch), base.location(), manager, 0);
    }
    LoraBase.requireSame(directory.toString(), Map.of(LoraBase.MODEL, base), Map.of(LoraBase.MODEL,
        LoraBase.of(model)));
    store.loadParameters(directory, trainedParameters(model), manager);
    return model;
  }

  /** The parameters a checkpoint of {@code model} holds: every one, or a LoRA model's adapters and heads. */
  private static List<TrainableParameter> trainedParameters(GptModel model) {
    List<TrainableParameter> parameters = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      if (model.trains(p.getKey())) {
        parameters.add(new TrainableParameter(p.getKey(), p.getValue().getArray(), model.decays(p.getKey())));
      }
    }
    return parameters;
  }
}
