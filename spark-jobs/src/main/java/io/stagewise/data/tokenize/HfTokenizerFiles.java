package io.stagewise.data.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.ContentDigest;
import io.stagewise.data.manifest.TokenizerInfo;
import io.stagewise.trainer.interop.TokenRoles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The tokenizer files of a Hugging Face export, for the tokenizer a token dataset's manifest records, with the
 * chat template's four special tokens ({@code <|user|>}, {@code <|assistant|>}, {@code <|end|>},
 * {@code <|pad|>}, right after the tokenizer's vocabulary) as added special tokens: {@code tokenizer.json}
 * (fast tokenizers), {@code vocab.json} and {@code merges.txt} (GPT2Tokenizer), {@code tokenizer_config.json}
 * (with the template as a {@code chat_template}) and {@code special_tokens_map.json}.
 *
 * <p>A {@code huggingface} tokenizer is the run's {@code tokenizer.json} (its SHA-256 checked against the
 * manifest) with the four tokens added. {@code byte_level} (one id per UTF-8 byte) is written as a byte-level
 * BPE without merges whose vocabulary maps the byte-to-character alphabet of GPT-2's byte-level encoding to
 * the byte's value, so byte b is id b, exactly as Stagewise encodes; with an empty {@code merges.txt} GPT-2's
 * slow tokenizer computes the same ids.
 */
public final class HfTokenizerFiles {

  /** The template's tokens as text, in id order after the base vocabulary. */
  public static final List<String> TEMPLATE_TOKENS = List.of("<|user|>", "<|assistant|>", "<|end|>", "<|pad|>");
  private static final List<String> TEMPLATE_NAMES = List.of("user", "assistant", "end", "pad");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final TokenizerInfo info;
  private final int contextLength;

  /** @param contextLength the model's context ({@code model_max_length}) */
  public HfTokenizerFiles(TokenizerInfo info, int contextLength) {
    this.info = info;
    this.contextLength = contextLength;
    for (int i = 0; i < TEMPLATE_NAMES.size(); i++) {
      Integer id = info.specialIds().get(TEMPLATE_NAMES.get(i));
      if (id == null || id != info.baseVocabSize() + i) {
        throw new IllegalArgumentException("tokenizer.special_ids: expected " + TEMPLATE_NAMES.get(i) + " = "
            + (info.baseVocabSize() + i) + " (the chat template's ids), got " + id);
      }
    }
  }

  /** The ids {@code config.json} names: end of sequence is the template's end, padding its pad. */
  public TokenRoles roles() {
    Map<String, Integer> ids = info.specialIds();
    return new TokenRoles(null, ids.get("end"), ids.get("pad"));
  }

  /** Writes the files into {@code directory}; returns them. */
  public List<Path> write(Path directory, FileSystem fs, Configuration conf) throws IOException {
    ObjectNode tokenizer = baseTokenizer(conf);
    addTemplateTokens(tokenizer);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("tokenizer.json", json(tokenizer));
    files.put("vocab.json", json(tokenizer.path("model").path("vocab")));
    files.put("merges.txt", merges(tokenizer.path("model").path("merges")));
    files.put("tokenizer_config.json", json(tokenizerConfig()));
    files.put("special_tokens_map.json", json(specialTokensMap()));
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Path path = new Path(directory, file.getKey());
      try (OutputStream out = fs.create(path, true)) {
        out.write(file.getValue());
      }
      written.add(path);
    }
    return written;
  }

  private ObjectNode baseTokenizer(Configuration conf) throws IOException {
    if (info.kind().equals(ByteLevelTokenizer.KIND)) {
      return byteLevelBpe();
    }
    Path source = new Path(info.source());
    byte[] bytes;
    try (InputStream in = source.getFileSystem(conf).open(source)) {
      bytes = in.readAllBytes();
    }
    String sha256 = ContentDigest.hex(bytes);
    if (!sha256.equals(info.sourceSha256())) {
      throw new IllegalArgumentException(source + ": the tokenizer changed since the data was tokenized (SHA-256 "
          + sha256 + ", the manifest records " + info.sourceSha256() + ")");
    }
    JsonNode root = JSON.readTree(bytes);
    if (!root.path("model").path("type").asText().equals("BPE")) {
      throw new IllegalArgumentException(source + ": only BPE tokenizers are exported, this one is "
          + root.path("model").path("type").asText());
    }
    return (ObjectNode) root;
  }

  /** Stagewise's byte tokenizer as a tokenizer.json: byte-level pre-tokenizer and decoder, BPE without merges. */
  private static ObjectNode byteLevelBpe() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    root.putArray("added_tokens");
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel());
    root.putNull("post_processor");
    root.set("decoder", byteLevel());
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    char[] alphabet = ByteAlphabet.characters();
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(alphabet[b]), b);
    }
    model.putArray("merges");
    return root;
  }

  private static ObjectNode byteLevel() {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", "ByteLevel");
    node.put("add_prefix_space", false);
    node.put("trim_offsets", false);
    node.put("use_regex", false);
    return node;
  }

  private void addTemplateTokens(ObjectNode tokenizer) {
    ArrayNode added = tokenizer.has("added_tokens") ? (ArrayNode) tokenizer.get("added_tokens")
        : tokenizer.putArray("added_tokens");
    for (int i = 0; i < TEMPLATE_TOKENS.size(); i++) {
      specialToken(added.addObject().put("id", info.baseVocabSize() + i), TEMPLATE_TOKENS.get(i));
    }
  }

  private ObjectNode tokenizerConfig() {
    ObjectNode config = JSON.createObjectNode();
    config.put("tokenizer_class", "GPT2Tokenizer");
    config.put("add_prefix_space", false);
    config.put("clean_up_tokenization_spaces", false);
    config.put("model_max_length", contextLength);
    config.put("eos_token", TEMPLATE_TOKENS.get(2));
    config.put("pad_token", TEMPLATE_TOKENS.get(3));
    config.putNull("bos_token");
    config.putNull("unk_token");
    ObjectNode decoder = config.putObject("added_tokens_decoder");
    for (int i = 0; i < TEMPLATE_TOKENS.size(); i++) {
      specialToken(decoder.putObject(String.valueOf(info.baseVocabSize() + i)), TEMPLATE_TOKENS.get(i));
    }
    // ChatTemplate's layout: [user] u [assistant] a [end] ... [assistant], then the response and [end].
    config.put("chat_template", "{% for message in messages %}{% if message['role'] == 'user' %}<|user|>"
        + "{{ message['content'] }}{% else %}<|assistant|>{{ message['content'] }}<|end|>{% endif %}{% endfor %}"
        + "{% if add_generation_prompt %}<|assistant|>{% endif %}");
    return config;
  }

  /** An added special token as tokenizer.json and tokenizer_config.json describe one: matched as written. */
  private static void specialToken(ObjectNode token, String content) {
    token.put("content", content);
    token.put("single_word", false);
    token.put("lstrip", false);
    token.put("rstrip", false);
    token.put("normalized", false);
    token.put("special", true);
  }

  private static ObjectNode specialTokensMap() {
    ObjectNode map = JSON.createObjectNode();
    map.put("eos_token", TEMPLATE_TOKENS.get(2));
    map.put("pad_token", TEMPLATE_TOKENS.get(3));
    map.putArray("additional_special_tokens").add(TEMPLATE_TOKENS.get(0)).add(TEMPLATE_TOKENS.get(1));
    return map;
  }

  /** merges.txt: the version line, then one merge per line (tokenizer.json holds "a b" or ["a", "b"]). */
  private static byte[] merges(JsonNode merges) {
    StringBuilder text = new StringBuilder("#version: 0.2\n");
    for (JsonNode merge : merges) {
      text.append(merge.isArray() ? merge.get(0).asText() + " " + merge.get(1).asText() : merge.asText())
          .append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] json(JsonNode node) throws IOException {
    return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
