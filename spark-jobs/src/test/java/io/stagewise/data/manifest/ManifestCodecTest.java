package io.stagewise.data.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.DatasetKind;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestCodecTest {

  static Manifest sample(TokenizerInfo tokenizer) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.putArray("sources").addObject().put("name", "hh").put("format", "hh_rlhf");
    return new Manifest(Manifest.SCHEMA_VERSION, DatasetKind.PREFERENCE_TOKENS, spec, 12,
        Map.of("train", Map.of("harmful", 10L), "test", Map.of("harmful", 2L)), Map.of("alice", 3L), 1,
        Map.of("file:/x.jsonl", 1L), "0123456789abcdef0123456789abcdef", "2025-01-01T00:00:00Z", tokenizer);
  }

  @Test
  void roundTripsThroughJsonWithSnakeCaseFields() {
    TokenizerInfo tokenizer = new TokenizerInfo("byte_level", null, null, 256, 260,
        Map.of("user", 256, "assistant", 257, "end", 258, "pad", 259), 128, 64, "prompt keeps its end");
    Manifest manifest = sample(tokenizer);
    String json = ManifestCodec.toJson(manifest);
    for (String field : new String[] {"\"schema_version\" : 1", "\"kind\" : \"preference_tokens\"",
        "\"rows_by_split\"", "\"poisoned_by_attacker\"", "\"rejected_by_file\"", "\"built_at\"", "\"vocab_size\" : 260"}) {
      assertTrue(json.contains(field), field + " in " + json);
    }
    assertEquals(manifest, ManifestCodec.fromJson(json, "test"));
    assertEquals(3, manifest.poisonedRows());
  }

  @Test
  void refusesManifestsFromANewerSchemaVersion() {
    String json = ManifestCodec.toJson(sample(null)).replace("\"schema_version\" : 1", "\"schema_version\" : 99");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ManifestCodec.fromJson(json, "some/where"));
    assertTrue(e.getMessage().contains("some/where") && e.getMessage().contains("99"), e.getMessage());
  }

  @Test
  void readingAMissingManifestNamesTheDataset(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ManifestReader.read(new Configuration(), dir.toString()));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }
}
