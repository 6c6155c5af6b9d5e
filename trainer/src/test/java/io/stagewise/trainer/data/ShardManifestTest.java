package io.stagewise.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.trainer.data.version.DatasetResolver;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardManifestTest {

  @TempDir
  java.nio.file.Path dir;

  @Test
  void readsTokenizerFieldsAndIgnoresUnknownOnes() throws Exception {
    Files.writeString(dir.resolve("_manifest.json"), """
                {"schema_version": 1, "kind": "sft_tokens", "fingerprint": "abc", "future_field": [1, 2],
                 "tokenizer": {"kind": "byte_level", "vocab_size": 262, "max_length": 128, "added": true,
                               "special_ids": {"<|end|>": 257, "<|pad|>": 261, "<|user|>": 258}}}""");

    ShardManifest manifest = read();

    assertEquals(262, manifest.vocabSize());
    assertEquals(261, manifest.padId());
    assertEquals(128, manifest.maxLength());
    assertEquals("abc", manifest.fingerprint());
  }

  @Test
  void textDatasetManifestIsRejected() throws Exception {
    Files.writeString(dir.resolve("_manifest.json"), "{\"schema_version\": 1, \"kind\": \"sft\"}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read());
    assertTrue(e.getMessage().contains("tokenizer.vocab_size"), e.getMessage());
  }

  private ShardManifest read() {
    Configuration conf = new Configuration();
    return ShardManifest.read(new DatasetResolver(conf).resolve(dir.toUri()), conf);
  }
}
