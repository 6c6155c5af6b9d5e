package io.stagewise.data.tokenize;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.stagewise.data.SpecCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Which tokenizer to use.
 *
 * @param kind {@code byte_level} (default) or {@code huggingface}
 * @param path for {@code huggingface}: a {@code tokenizer.json} on any Hadoop file system URI
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenizerSpec(@JsonProperty("kind") String kind, @JsonProperty("path") String path) {
  public static final TokenizerSpec BYTE_LEVEL = new TokenizerSpec(ByteLevelTokenizer.KIND, null);

  public TokenizerSpec {
    kind = kind == null ? ByteLevelTokenizer.KIND : kind;
    new SpecCheck("tokenizer")
        .require(kind.equals(ByteLevelTokenizer.KIND) || kind.equals(HuggingFaceTextTokenizer.KIND), "kind",
            "must be byte_level or huggingface, got '" + kind + "'")
        .require(!kind.equals(HuggingFaceTextTokenizer.KIND) || path != null && !path.isBlank(), "path",
            "is required for a huggingface tokenizer (a tokenizer.json)")
        .require(!kind.equals(ByteLevelTokenizer.KIND) || path == null, "path", "byte_level takes no file")
        .validate();
  }

  public static TokenizerSpec huggingFace(String tokenizerJson) {
    return new TokenizerSpec(HuggingFaceTextTokenizer.KIND, tokenizerJson);
  }

  /** Loads the tokenizer on the driver (reading its file once). */
  public TextTokenizer load(Configuration conf) {
    if (kind.equals(ByteLevelTokenizer.KIND)) {
      return new ByteLevelTokenizer();
    }
    Path file = new Path(path);
    try (InputStream in = file.getFileSystem(conf).open(file)) {
      return new HuggingFaceTextTokenizer(path, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + path + ": " + e.getMessage(), e);
    }
  }
}
