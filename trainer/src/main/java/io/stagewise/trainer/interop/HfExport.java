package io.stagewise.trainer.interop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Head;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a model as a Hugging Face directory: {@code config.json} and {@code model.safetensors} (float32). The
 * tokenizer files are the caller's (the trainer does not know the tokenizer).
 */
public final class HfExport {

  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HfExport() {
  }

  /**
   * The layout to write {@code config} in: {@code requested} (null to pick the first that fits). Refuses a
   * configuration the layout cannot express with every switch that stands in the way.
   */
  public static HfLayout layout(ModelConfig config, String requested) {
    if (requested != null) {
      HfLayout layout = HfLayout.named(requested);
      List<String> refusals = layout.refusals(config);
      if (!refusals.isEmpty()) {
        throw new IllegalArgumentException("the " + layout.name() + " layout cannot hold this model: "
            + String.join("; ", refusals));
      }
      return layout;
    }
    List<String> reasons = new ArrayList<>();
    for (HfLayout layout : HfLayout.ALL) {
      List<String> refusals = layout.refusals(config);
      if (refusals.isEmpty()) {
        return layout;
      }
      reasons.add(layout.name() + ": " + String.join("; ", refusals));
    }
    throw new IllegalArgumentException("no Hugging Face layout expresses this model (" + String.join(" | ", reasons)
        + ")");
  }

  /** The file's tensors, by name in file order, for {@code model} in {@code layout}. */
  static Map<String, HostTensor> tensors(GptModel model, HfLayout layout, ObjectNode configJson) {
    if (model.lora() != null) {
      // The layouts have no place for adapters; written alone, the base would silently stand for the model.
      throw new IllegalArgumentException("the model has LoRA adapters: export its merged model (GptModel.merged, "
          + "as ModelCheckpoint.load returns it)");
    }
    Map<String, HostTensor> parameters = ParameterTensors.of(model);
    if (model.config().head() == Head.SCALAR) {
      float bias = parameters.get("value_head.bias").values()[0];
      if (bias != 0f) {
        throw new IllegalArgumentException("value_head.bias is " + bias + ": the score layer of "
            + "…ForSequenceClassification has no bias (a reward model's stays 0, a trained value model's does not)");
      }
    }
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    for (TensorMapping mapping : layout.tensors(model.config(), configJson)) {
      tensors.put(mapping.hfName(), mapping.toHf(parameters.get(mapping.parameter())));
    }
    return tensors;
  }

  /** Writes {@code config.json} and {@code model.safetensors} of {@code model} into {@code directory}. */
  public static List<Path> write(GptModel model, HfLayout layout, TokenRoles roles, Path directory,
      Configuration conf) throws IOException {
    List<String> refusals = layout.refusals(model.config());
    if (!refusals.isEmpty()) {
      throw new IllegalArgumentException("the " + layout.name() + " layout cannot hold this model: "
          + String.join("; ", refusals));
    }
    ObjectNode configJson = layout.configJson(model.config(), roles);
    Map<String, HostTensor> tensors = tensors(model, layout, configJson);
    FileSystem fs = fileSystem(directory, conf);
    Path config = new Path(directory, CONFIG);
    try (OutputStream out = fs.create(config, true)) {
      out.write((JSON.writeValueAsString(configJson) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Path weights = new Path(directory, WEIGHTS);
    try (OutputStream out = fs.create(weights, true)) {
      Safetensors.write(out, tensors);
    }
    return List.of(config, weights);
  }

  /**
   * The file system of {@code path}, unchecksummed on local disks: Hadoop's local file system would leave a
   * {@code .crc} beside every file of the directory and refuse a {@code config.json} edited by hand.
   */
  public static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }
}
