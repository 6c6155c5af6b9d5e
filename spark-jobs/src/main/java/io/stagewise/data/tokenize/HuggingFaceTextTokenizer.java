package io.stagewise.data.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.data.ContentDigest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Hugging Face {@code tokenizer.json} (e.g. GPT-2's byte-level BPE) run by DJL's native tokenizers
 * binding. The file's bytes travel with the instance, so executors need no access to the path, and DJL
 * never downloads anything. The native tokenizer is created on first use in each JVM copy (once per task)
 * and released by {@link #close()}.
 */
public final class HuggingFaceTextTokenizer implements TextTokenizer {
  public static final String KIND = "huggingface";
  /** No truncation or padding: the truncation policy is applied to ids, after the chat template. */
  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

  private final String source;
  private final byte[] json;
  private final String sha256;
  private final int vocabSize;
  private final Map<String, Integer> specialIds;
  private transient HuggingFaceTokenizer tokenizer;

  /**
   * @param source where {@code json} was read from, for manifests and messages
   * @param json the bytes of {@code tokenizer.json}
   */
  public HuggingFaceTextTokenizer(String source, byte[] json) {
    this.source = source;
    this.json = json.clone();
    this.sha256 = ContentDigest.hex(json);
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not a tokenizer.json: " + e.getMessage(), e);
    }
    JsonNode vocab = root.path("model").path("vocab");
    if (!vocab.isObject() || vocab.isEmpty()) {
      throw new IllegalArgumentException(source + ": tokenizer.json has no model.vocab");
    }
    int maxId = -1;
    for (JsonNode id : vocab) {
      maxId = Math.max(maxId, id.asInt());
    }
    Map<String, Integer> special = new TreeMap<>();
    for (JsonNode added : root.path("added_tokens")) {
      maxId = Math.max(maxId, added.path("id").asInt());
      if (added.path("special").asBoolean()) {
        special.put(added.path("content").asText(), added.path("id").asInt());
      }
    }
    this.vocabSize = maxId + 1;
    this.specialIds = Map.copyOf(special);
  }

  @Override
  public int[] encode(String text) {
    long[] ids = native_().encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      longs[i] = ids[i];
    }
    return native_().decode(longs, false);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public Map<String, Integer> specialIds() {
    return specialIds;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public String sourceSha256() {
    return sha256;
  }

  @Override
  public synchronized void close() {
    if (tokenizer != null) {
      tokenizer.close();
      tokenizer = null;
    }
  }

  private synchronized HuggingFaceTokenizer native_() {
    if (tokenizer == null) {
      try {
        tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), OPTIONS);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load tokenizer " + source, e);
      }
    }
    return tokenizer;
  }

}
