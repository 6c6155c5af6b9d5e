package io.stagewise.trainer.checkpoint;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.interop.HfModelDirectory;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.optim.TrainableParameter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
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

  private ModelCheckpoint(Path directory, ModelConfig config, CheckpointStore store, HfModelDirectory hf) {
    this.directory = directory;
    this.config = config;
    this.store = store;
    this.hf = hf;
  }

  /** The location of the Hugging Face directory at {@code directory} (an absolute path or a URI). */
  public static URI hfLocation(URI directory) {
    return URI.create(HF_SCHEME + ":" + directory);
  }

  /** Finds the checkpoint (or Hugging Face directory) at {@code location} and reads its model configuration. */
  public static ModelCheckpoint at(URI location, Configuration conf) {
    if (HF_SCHEME.equals(location.getScheme())) {
      HfModelDirectory hf = HfModelDirectory.at(new Path(location.getSchemeSpecificPart()), conf);
      return new ModelCheckpoint(hf.directory(), hf.config(), null, hf);
    }
    Path path = new Path(location);
    Path directory = CheckpointStore.isCommitted(path, conf) ? path : new CheckpointStore(location, conf, 1).latest()
        .orElseThrow(() -> new IllegalArgumentException(location
            + ": neither a committed checkpoint nor a directory holding one"));
    CheckpointStore store = new CheckpointStore(directory.getParent().toUri(), conf, 1);
    CheckpointState state = store.readState(directory);
    try {
      return new ModelCheckpoint(directory, JSON.treeToValue(state.model(), ModelConfig.class), store, null);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(directory + ": unreadable model configuration: " + e.getMessage(), e);
    }
  }

  /** The committed checkpoint directory (or the Hugging Face directory). */
  public Path directory() {
    return directory;
  }

  /** The architecture the parameters belong to. */
  public ModelConfig config() {
    return config;
  }

  /** A model of {@link #config()} holding the checkpoint's parameters, owned by {@code manager}. */
  public GptModel load(NDManager manager) {
    if (hf != null) {
      return hf.load(manager);
    }
    GptModel model = GptModel.create(config, manager, 0);
    List<TrainableParameter> parameters = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      parameters.add(new TrainableParameter(p.getKey(), p.getValue().getArray(), model.decays(p.getKey())));
    }
    store.loadParameters(directory, parameters, manager);
    return model;
  }
}
