package io.stagewise.trainer.data.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolver and pointer log on the local file system, with version directories written by hand. */
class DatasetResolverTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  @TempDir java.nio.file.Path dir;
  private final Configuration conf = new Configuration();
  private FileSystem fs;
  private DatasetResolver resolver;

  @BeforeEach
  void open() throws IOException {
    fs = FileSystem.getLocal(conf);
    resolver = new DatasetResolver(conf);
  }

  private Path root(String name) {
    return fs.makeQualified(new Path(dir.resolve(name).toUri()));
  }

  /** A complete version: a part file and a manifest (what a publisher writes before its pointer). */
  private String version(Path root, Instant created, String member) throws IOException {
    String version = DatasetLayout.newVersion(created);
    Path data = member == null ? DatasetLayout.versionDir(root, version)
        : new Path(DatasetLayout.versionDir(root, version), member);
    fs.create(new Path(data, "part-00000.parquet")).close();
    fs.create(new Path(data, DatasetLayout.MANIFEST)).close();
    return version;
  }

  @Test
  void theHighestCompletePointerIsCurrentAndAHalfWrittenOneIsSkipped() throws IOException {
    Path root = root("sft");
    PointerLog log = new PointerLog(fs, root);
    String first = version(root, T0, null);
    String second = version(root, T0.plusSeconds(60), null);
    log.append(first, List.of(), T0);
    log.append(second, List.of(), T0.plusSeconds(61));
    // A pointer whose writer was killed after some bytes: it is not a publication.
    Files.writeString(dir.resolve("sft/_pointers/pointer-000000000003.json"), "{\"number\":3,\"versi");

    ResolvedDataset resolved = resolver.resolve(root.toString());
    assertEquals(second, resolved.version());
    assertEquals(DatasetLayout.versionDir(root, second), resolved.dir());
    assertEquals(resolved.dir(), resolver.resolve(resolved.uri()).dir(), "a version directory resolves to itself");
    assertThrows(IOException.class, () -> fs.create(new Path(root, "_pointers/pointer-000000000003.json"), false),
        "pointers are created without overwriting");
  }

  @Test
  void aSetMemberResolvesThroughItsParentsPointerAndTheLaterPublicationWins() throws IOException {
    Path world = root("world");
    String setVersion = version(world, T0, "sft");
    new PointerLog(fs, world).append(setVersion, List.of("sft", "preference"), T0.plusSeconds(1));
    Path sft = new Path(world, "sft");
    assertEquals(new Path(DatasetLayout.versionDir(world, setVersion), "sft"), resolver.resolve(sft.toString()).dir());

    String own = version(sft, T0.plusSeconds(10), null);
    new PointerLog(fs, sft).append(own, List.of(), T0.plusSeconds(11));
    assertEquals(own, resolver.resolve(sft.toString()).version(), "published on its own after the set");

    String again = version(world, T0.plusSeconds(20), "sft");
    new PointerLog(fs, world).append(again, List.of("sft"), T0.plusSeconds(21));
    assertEquals(again, resolver.resolve(sft.toString()).version(), "the set republished after it");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> resolver.resolve(new Path(world, "eval").toString()));
    assertTrue(e.getMessage().contains("no published dataset at"), e.getMessage());
  }

  @Test
  void aDatasetInTheLayoutBeforeVersionsIsReadInPlace() throws IOException {
    Path legacy = root("legacy");
    fs.create(new Path(legacy, DatasetLayout.MANIFEST)).close();
    ResolvedDataset resolved = resolver.resolve(legacy.toString());
    assertEquals("", resolved.version());
    assertEquals(legacy, resolved.dir());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> resolver.resolve(root("missing").toString()));
    assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("_pointers"), e.getMessage());
  }

  @Test
  void versionNamesCarryTheirCreationTime() {
    String name = DatasetLayout.newVersion(T0.plusMillis(123));
    assertEquals(T0.plusMillis(123), DatasetLayout.createdAt(name).orElseThrow());
    assertTrue(DatasetLayout.createdAt("part-00000.parquet").isEmpty());
    assertTrue(name.compareTo(DatasetLayout.newVersion(T0.plusSeconds(1))) < 0, "names sort by time");
  }
}
