package io.stagewise.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The fields of a token dataset's {@code _manifest.json} the trainer needs. The data plane owns the full
 * layout; this reader looks at {@code tokenizer.vocab_size}, {@code tokenizer.special_ids},
 * {@code tokenizer.max_length} and {@code fingerprint} and ignores every other field, so new manifest fields
 * never break training.
 *
 * @param vocabSize embedding size the ids were made for
 * @param specialIds special token ids by name
 * @param maxLength longest sequence in the dataset (0 when the manifest does not say)
 * @param fingerprint the data's content fingerprint (empty when absent)
 */
public record ShardManifest(int vocabSize, Map<String, Integer> specialIds, int maxLength, String fingerprint) {

  public static final String FILE_NAME = "_manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public ShardManifest {
    if (vocabSize < 1) {
      throw new IllegalArgumentException("tokenizer.vocab_size must be >= 1, got " + vocabSize);
    }
    specialIds = Map.copyOf(specialIds);
  }

  /** Reads the manifest of one resolved version of a dataset ({@link DatasetResolver}). */
  public static ShardManifest read(ResolvedDataset dataset, Configuration conf) {
    Path file = dataset.manifest();
    try {
      FileSystem fs = file.getFileSystem(conf);
      try (InputStream in = fs.open(file)) {
        return parse(JSON.readTree(in), file.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dataset manifest " + file, e);
    }
  }

  static ShardManifest parse(JsonNode root, String source) {
    JsonNode tokenizer = root.path("tokenizer");
    if (!tokenizer.path("vocab_size").canConvertToInt()) {
      throw new IllegalArgumentException(source + ": tokenizer.vocab_size is missing; is this a token dataset?");
    }
    Map<String, Integer> special = new LinkedHashMap<>();
    tokenizer.path("special_ids").fields().forEachRemaining(e -> special.put(e.getKey(), e.getValue().asInt()));
    return new ShardManifest(tokenizer.get("vocab_size").asInt(), special,
        tokenizer.path("max_length").asInt(0), root.path("fingerprint").asText(""));
  }

  /** This manifest, when its vocabulary is the model's; otherwise an error naming the dataset. */
  public ShardManifest requireVocabulary(ResolvedDataset dataset, int modelVocab) {
    if (vocabSize != modelVocab) {
      throw new IllegalArgumentException(dataset.describe() + ": tokenizer.vocab_size " + vocabSize
          + " differs from the model's vocabulary of " + modelVocab);
    }
    return this;
  }

  /**
   * The padding id: the special token whose name says "pad", else the first special id whose name says
   * "end"/"eos". Pads never count in a loss, so any in-vocabulary id is correct; a named one reads better.
   */
  public int padId() {
    return named("pad").or(() -> named("eos")).or(() -> named("end")).orElse(0);
  }

  private Optional<Integer> named(String fragment) {
    return specialIds.entrySet().stream()
        .filter(e -> e.getKey().toLowerCase(Locale.ROOT).contains(fragment))
        .map(Map.Entry::getValue)
        .sorted()
        .findFirst();
  }
}
