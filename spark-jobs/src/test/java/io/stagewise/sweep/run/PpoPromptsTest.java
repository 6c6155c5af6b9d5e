package io.stagewise.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.trainer.data.version.DatasetLayout;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.PointerLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PpoPromptsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final Configuration conf = new Configuration();
  @TempDir java.nio.file.Path dir;

  @Test
  void theRunReadsTheVersionWhoseManifestGaveTheEndTokenAfterARepublish() throws IOException {
    FileSystem fs = FileSystem.getLocal(conf);
    Path root = fs.makeQualified(new Path(dir.resolve("prompts").toUri()));
    publish(fs, root, T0, 2);
    PpoPrompts pinned = PpoPrompts.resolve(root.toUri(), conf);
    publish(fs, root, T0.plusSeconds(60), 3);

    assertEquals(2, pinned.endToken());
    DatasetResolver resolver = new DatasetResolver(conf);
    assertTrue(resolver.resolve(root.toUri()).version().compareTo(resolver.resolve(pinned.version()).version()) > 0,
        "the set's current version is the republished one");
    assertEquals(2, PpoPrompts.resolve(pinned.version(), conf).endToken(), "the pinned version stays itself");
    assertEquals(3, PpoPrompts.resolve(root.toUri(), conf).endToken());
  }

  @Test
  void aManifestWithoutAnEndTokenIsRefusedNamingTheSet() throws IOException {
    FileSystem fs = FileSystem.getLocal(conf);
    Path root = fs.makeQualified(new Path(dir.resolve("no-end").toUri()));
    publish(fs, root, T0, -1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PpoPrompts.resolve(root.toUri(), conf));
    assertTrue(e.getMessage().contains("no-end") && e.getMessage().contains("names no end token"), e.getMessage());
  }

  /** A version whose manifest records {@code end} (none when negative), then its pointer. */
  private static void publish(FileSystem fs, Path root, Instant at, int end) throws IOException {
    String version = DatasetLayout.newVersion(at);
    Path data = DatasetLayout.versionDir(root, version);
    fs.create(new Path(data, "part-00000.parquet")).close();
    String special = end < 0 ? "{}" : "{\"end\": " + end + "}";
    try (OutputStream out = fs.create(new Path(data, DatasetLayout.MANIFEST))) {
      out.write(("{\"tokenizer\": {\"vocab_size\": 260, \"special_ids\": " + special + "}}")
          .getBytes(StandardCharsets.UTF_8));
    }
    new PointerLog(fs, root).append(version, List.of(), at.plusSeconds(1));
  }
}
