package io.stagewise.trainer.interop;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A Hugging Face model directory ({@code config.json} and {@code model.safetensors}) in a layout Stagewise
 * reads, as a Stagewise model. Stagewise parameters the file lacks (the biases of a Llama without
 * {@code attention_bias}/{@code mlp_bias}, a scalar head's bias) start at zero, which computes what the file's
 * model computes; a tensor the layout does not place is an error, except buffers older writers saved.
 */
public final class HfModelDirectory {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Non-parameter buffers some transformers versions saved: the causal mask and RoPE's frequencies. */
  private static final List<String> BUFFER_SUFFIXES = List.of(".attn.bias", ".attn.masked_bias",
      ".rotary_emb.inv_freq");

  private final Path directory;
  private final JsonNode configJson;
  private final HfLayout layout;
  private final ModelConfig config;
  private final Configuration conf;

  private HfModelDirectory(Path directory, JsonNode configJson, HfLayout layout, ModelConfig config,
      Configuration conf) {
    this.directory = directory;
    this.configJson = configJson;
    this.layout = layout;
    this.config = config;
    this.conf = conf;
  }

  /** Reads and checks {@code config.json}; the weights are read by {@link #load}. */
  public static HfModelDirectory at(Path directory, Configuration conf) {
    Path file = new Path(directory, HfExport.CONFIG);
    JsonNode json;
    try (InputStream in = HfExport.fileSystem(file, conf).open(file)) {
      json = JSON.readTree(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read a Hugging Face config: " + e.getMessage(), e);
    }
    HfLayout layout = HfLayout.of(json, file.toString());
    return new HfModelDirectory(directory, json, layout, layout.modelConfig(json, file.toString()), conf);
  }

  public Path directory() {
    return directory;
  }

  public ModelConfig config() {
    return config;
  }

  public HfLayout layout() {
    return layout;
  }

  /** A model of {@link #config()} holding the file's weights, owned by {@code manager}. */
  public GptModel load(NDManager manager) {
    Path file = new Path(directory, HfExport.WEIGHTS);
    Map<String, HostTensor> tensors;
    try (InputStream in = HfExport.fileSystem(file, conf).open(file)) {
      tensors = Safetensors.read(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GptModel model = GptModel.create(config, manager, 0);
    ParameterTensors.load(model, parameters(model, tensors, file.toString()), manager);
    return model;
  }

  /** The model's parameters filled from the file's tensors, every shape and name checked. */
  private Map<String, HostTensor> parameters(GptModel model, Map<String, HostTensor> tensors, String source) {
    Map<String, long[]> shapes = new HashMap<>();
    model.getParameters().forEach(p -> shapes.put(p.getKey(), p.getValue().getShape().getShape()));
    Map<String, List<HostTensor>> parts = new LinkedHashMap<>();
    Map<String, HostTensor> filled = new HashMap<>();
    List<String> problems = new ArrayList<>();
    Set<String> unplaced = new LinkedHashSet<>(tensors.keySet());
    for (TensorMapping mapping : layout.tensors(config, configJson)) {
      HostTensor tensor = tensors.get(mapping.hfName());
      long[] expected = mapping.hfShape(shapes.get(mapping.parameter()));
      unplaced.remove(mapping.hfName());
      if (tensor == null) {
        problems.add(mapping.hfName() + " is missing");
      } else if (!tensor.hasShape(expected)) {
        problems.add(mapping.hfName() + " has shape " + Arrays.toString(tensor.shape()) + ", config.json implies "
            + Arrays.toString(expected));
      } else {
        parts.computeIfAbsent(mapping.parameter(), k -> new ArrayList<>()).add(mapping.fromHf(tensor));
      }
    }
    unplaced.removeIf(name -> BUFFER_SUFFIXES.stream().anyMatch(name::endsWith)
        || name.equals("lm_head.weight") && config.tiedEmbeddings());
    if (!unplaced.isEmpty()) {
      problems.add("tensors the " + layout.name() + " layout does not place: " + unplaced.stream().limit(5).toList()
          + (unplaced.size() > 5 ? " and " + (unplaced.size() - 5) + " more" : ""));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(source + ": " + String.join("; ", problems));
    }
    // Rows mapped in order (q, k, v) stack back into the fused parameter.
    parts.forEach((name, list) -> filled.put(name, list.size() == 1 ? list.get(0) : HostTensor.stack(list)));
    return filled;
  }
}
