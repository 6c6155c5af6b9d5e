package io.stagewise.cli;

import ai.djl.ndarray.NDManager;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.manifest.ManifestReader;
import io.stagewise.data.manifest.TokenizerInfo;
import io.stagewise.data.spec.InputPaths;
import io.stagewise.data.tokenize.HfTokenizerFiles;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.interop.HfExport;
import io.stagewise.trainer.interop.HfLayout;
import io.stagewise.trainer.interop.TokenRoles;
import io.stagewise.trainer.model.ModelConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stagewise export}: a trained model as a Hugging Face directory. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write a trained model as a Hugging Face directory: config.json and model.safetensors (float32) in the"
          + " GPT-2 layout (layernorm, learned positions, multi-head attention, dense GELU MLP) or the Llama"
          + " layout (rmsnorm, rope, any kv_heads, mlp: swiglu); a scalar-head (reward or value) model as"
          + " ...ForSequenceClassification with one label. With --data, the tokenizer files of the tokenizer that"
          + " dataset was built with, the chat template's tokens added. See docs/interop.md."
    })
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A committed checkpoint, a checkpoints directory (its latest), or hf:DIR.")
  String checkpoint;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "The directory to write; must be"
      + " absent or empty.")
  String out;

  @Option(names = "--layout", paramLabel = "gpt2|llama",
      description = "The layout (default: the one that expresses the model).")
  String layout;

  @Option(names = "--data", paramLabel = "DATASET",
      description = "A token dataset the model was trained on: its manifest names the tokenizer to export.")
  String data;

  @Override
  public Integer call() throws IOException {
    Configuration conf = new Configuration();
    new InputPaths().add("--checkpoint", InitLocation.directory(checkpoint)).add("--data", data)
        .requireExist(conf, "export");
    ModelCheckpoint model = ModelCheckpoint.at(InitLocation.uri(checkpoint), conf);
    ModelConfig config = model.config();
    HfLayout chosen = HfExport.layout(config, layout);
    HfTokenizerFiles tokenizer = data == null ? null : tokenizer(conf, config);
    Path directory = new Path(TrainCommand.uri(out));
    FileSystem fs = HfExport.fileSystem(directory, conf);
    if (fs.exists(directory) && fs.listStatus(directory).length > 0) {
      throw new IllegalArgumentException("--out: " + out + " is not empty; export writes into a new directory");
    }
    fs.mkdirs(directory);
    List<Path> files = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      TokenRoles roles = tokenizer == null ? TokenRoles.UNKNOWN : tokenizer.roles();
      files.addAll(HfExport.write(model.load(manager), chosen, roles, directory, conf));
    }
    if (tokenizer != null) {
      files.addAll(tokenizer.write(directory, fs, conf));
    }
    System.out.printf("exported %s (%s layout, %s head) to %s: %s%s%n", model.directory(), chosen.name(),
        config.head().specName(), directory, files.stream().map(Path::getName).toList(),
        tokenizer == null ? "; no tokenizer files (pass --data)" : "");
    return 0;
  }

  private HfTokenizerFiles tokenizer(Configuration conf, ModelConfig config) {
    TokenizerInfo info = ManifestReader.read(conf, data).tokenizer();
    SpecCheck check = new SpecCheck("export --data " + data);
    check.require(info != null, "tokenizer", "the dataset's manifest records no tokenizer: is it a token dataset?");
    check.validate();
    check.require(info.vocabSize() == config.vocabSize(), "tokenizer.vocab_size",
        info.vocabSize() + " differs from the model's vocabulary of " + config.vocabSize());
    check.validate();
    return new HfTokenizerFiles(info, config.contextLength());
  }
}
