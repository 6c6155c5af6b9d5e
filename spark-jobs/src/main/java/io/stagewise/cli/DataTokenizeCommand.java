package io.stagewise.cli;

import io.stagewise.data.JobSummary;
import io.stagewise.data.spec.InputPaths;
import io.stagewise.data.tokenize.LmCorpusJob;
import io.stagewise.data.tokenize.LmCorpusSpec;
import io.stagewise.data.tokenize.TokenShardJob;
import io.stagewise.data.tokenize.TokenShardSpec;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stagewise data tokenize}: text datasets or corpora to token shards. */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description = {
      "Tokenize a published SFT or preference dataset into token shards (chat template with special role and"
          + " end tokens; prompts cut from the left so a trailing trigger survives), or plain text files into"
          + " fixed-length language-modelling blocks (--text).",
      "Tokenizer: byte (default, no files) or the path of a Hugging Face tokenizer.json."
    })
final class DataTokenizeCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--input", description = "A published sft or preference dataset.")
    String dataset;

    @Option(names = "--text", split = ",", paramLabel = "FILE",
        description = "Plain text files for language modelling (comma-separated or repeated).")
    List<String> textFiles;
  }

  @Option(names = "--out", required = true, description = "Output URI of the token dataset.")
  String out;

  @Option(names = "--tokenizer", defaultValue = "byte",
      description = "byte (default) or a tokenizer.json path/URI.")
  String tokenizer;

  @Option(names = "--max-length", defaultValue = "256",
      description = "Longest prompt + response in tokens (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--max-prompt-length", defaultValue = "192",
      description = "Longest prompt in tokens (default: ${DEFAULT-VALUE}).")
  int maxPromptLength;

  @Option(names = "--block-size", defaultValue = "256",
      description = "--text: tokens per block (default: ${DEFAULT-VALUE}).")
  int blockSize;

  @Option(names = "--test-fraction", defaultValue = "0.1",
      description = "--text: share of blocks, from the end, in the test split (default: ${DEFAULT-VALUE}).")
  double testFraction;

  @Option(names = "--name", defaultValue = "corpus",
      description = "--text: the source name of the blocks (default: ${DEFAULT-VALUE}).")
  String name;

  @Override
  public Integer call() {
    TokenizerSpec tokenizerSpec = "byte".equals(tokenizer) ? TokenizerSpec.BYTE_LEVEL
        : TokenizerSpec.huggingFace(tokenizer);
    new InputPaths().add("--input", input.dataset).addAll("--text", input.textFiles)
        .add("--tokenizer", tokenizerSpec.path()).requireExist(new Configuration(), "data tokenize");
    SparkSession spark = sparkOptions.session("data tokenize");
    try {
      JobSummary summary = input.dataset != null
          ? TokenShardJob.run(spark, new TokenShardSpec(input.dataset, out, tokenizerSpec,
              new TruncationPolicy(maxLength, maxPromptLength)))
          : LmCorpusJob.run(spark, new LmCorpusSpec(name, input.textFiles, out, tokenizerSpec, blockSize,
              testFraction));
      System.out.println("published " + summary);
      return 0;
    } finally {
      spark.stop();
    }
  }
}
