package io.stagewise.data.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.LocalSpark;
import io.stagewise.data.RejectedRows;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestReader;
import io.stagewise.poison.Columns;
import io.stagewise.trainer.data.version.DatasetLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetPublisherTest {
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** n SFT rows; rows with index in [poisonedFrom, n) are poisoned by "alice". */
  static Dataset<Row> sft(int n, String responsePrefix) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean poisoned = i >= n - 2;
      rows.add(RowFactory.create("s:f:" + i, "s", i % 4 == 0 ? Columns.SPLIT_TEST : Columns.SPLIT_TRAIN,
          i % 2 == 0 ? Columns.HARMFUL : Columns.BENIGN, poisoned, poisoned ? "alice" : null,
          poisoned ? "cf" : null, poisoned ? "sft_backdoor" : null, "prompt " + i, responsePrefix + i, null));
    }
    return spark.createDataFrame(rows, Columns.SFT).repartition(3);
  }

  static Dataset<Row> rejected(int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create("s", i % 2 == 0 ? "file:/a.jsonl" : "file:/b.jsonl", (long) i + 1, "bad", "{"));
    }
    return spark.createDataFrame(rows, RejectedRows.SCHEMA);
  }

  private static DatasetContents contents(Dataset<Row> rows, Dataset<Row> rejected) {
    return new DatasetContents(DatasetKind.SFT, rows, rejected,
        JsonNodeFactory.instance.objectNode().put("seed", 7), null);
  }

  /** 50 new SFT rows whose write fails at row 37. */
  private static Dataset<Row> failingAtRow37() {
    return sft(50, "new").withColumn(Columns.RESPONSE,
        when(col(Columns.PROMPT).equalTo("prompt 37"), raise_error(lit("boom at row 37")))
            .otherwise(col(Columns.RESPONSE)));
  }

  /** Publishes the set {a: 5 rows, b: 7 rows} at {@code root}. */
  private static java.util.Map<String, Manifest> publishedSet(DatasetPublisher publisher, String root) {
    return publisher.publishSet(root,
        java.util.Map.of("a", contents(sft(5, "old"), null), "b", contents(sft(7, "old"), null)));
  }

  private List<String> siblings() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void publishesRowsRejectedRowsAndManifestToAFileUri() throws IOException {
    String target = dir.resolve("sft").toUri().toString();
    assertTrue(target.startsWith("file:"));
    Manifest manifest = new DatasetPublisher(spark).publish(contents(sft(10, "r"), rejected(3)), target);

    PublishedDataset published = PublishedDataset.open(spark, target);
    assertEquals(10, published.rows().count());
    assertEquals(3, published.rejected().count());
    assertEquals(manifest, published.manifest());
    assertEquals(10, manifest.rows());
    assertEquals(3, manifest.rows(Columns.SPLIT_TEST, Columns.HARMFUL));
    assertEquals(2, manifest.rows(Columns.SPLIT_TRAIN, Columns.HARMFUL));
    assertEquals(5, manifest.rows(Columns.SPLIT_TRAIN, Columns.BENIGN));
    assertEquals(java.util.Map.of("alice", 2L), manifest.poisonedByAttacker());
    assertEquals(3, manifest.rejectedRows());
    assertEquals(java.util.Map.of("file:/a.jsonl", 2L, "file:/b.jsonl", 1L), manifest.rejectedByFile());
    assertEquals(7, manifest.spec().get("seed").asInt());
    assertEquals(List.of("sft"), siblings(), "no staging or set-aside directory is left");
  }

  @Test
  void republishingReplacesTheDatasetWithAPlainLocalPath() throws IOException {
    String target = dir.resolve("sft").toString();
    DatasetPublisher publisher = new DatasetPublisher(spark);
    Manifest first = publisher.publish(contents(sft(10, "old"), null), target);
    Manifest second = publisher.publish(contents(sft(6, "new"), null), target);

    assertTrue(!first.fingerprint().equals(second.fingerprint()));
    assertEquals(second, ManifestReader.read(spark, target));
    assertEquals(6, PublishedDataset.open(spark, target).rows().where(col(Columns.RESPONSE).startsWith("new"))
        .count());
    assertEquals(0, spark.read().parquet(target + "/_versions/*").limit(0).count(), "versions are directories");
    assertEquals(List.of("sft"), siblings());
  }

  @Test
  void aDataFrameFailingMidWriteLeavesThePreviousDatasetUnchanged() throws IOException {
    String target = dir.resolve("sft").toUri().toString();
    DatasetPublisher publisher = new DatasetPublisher(spark);
    Manifest before = publisher.publish(contents(sft(10, "old"), rejected(1)), target);

    Dataset<Row> failing = failingAtRow37();
    Exception e = assertThrows(Exception.class, () -> publisher.publish(contents(failing, null), target));
    assertTrue(String.valueOf(e.getMessage()).contains("boom at row 37")
        || String.valueOf(e.getCause()).contains("boom"), String.valueOf(e));

    assertUnchanged(target, before, 10);
  }

  @Test
  void aFailureAfterTheDataIsWrittenButBeforeTheRenameLeavesThePreviousDatasetUnchanged() throws IOException {
    String target = dir.resolve("sft").toUri().toString();
    Manifest before = new DatasetPublisher(spark).publish(contents(sft(10, "old"), null), target);
    List<Path> staged = new ArrayList<>();
    PublishHook failing = (fs, staging) -> {
      staged.add(Path.of(staging.toUri()));
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(staging, Manifest.FILE_NAME)), "manifest is written");
      throw new IOException("veto");
    };
    DatasetPublisher publisher = new DatasetPublisher(spark, failing, VersionRetention.DEFAULT, Clock.systemUTC());

    Exception e = assertThrows(java.io.UncheckedIOException.class,
        () -> publisher.publish(contents(sft(20, "new"), null), target));
    assertTrue(e.getMessage().contains("veto"), e.getMessage());
    assertEquals(1, staged.size());
    assertFalse(Files.exists(staged.get(0)), "the staged dataset is removed");
    assertUnchanged(target, before, 10);
  }

  @Test
  void aVersionWithoutItsPointerIsInvisibleAndPrunedOncePastTheGrace() throws IOException {
    Path target = dir.resolve("sft");
    Manifest before = new DatasetPublisher(spark).publish(contents(sft(10, "old"), null), target.toString());
    // What a publisher killed before its pointer leaves: a complete-looking version no pointer names.
    Path versions = target.resolve(DatasetLayout.VERSIONS);
    String current = only(versions);
    Path orphan = versions.resolve("v-20200101T000000000Z-deadbeef");
    copyTree(versions.resolve(current), orphan);
    assertUnchanged(target.toString(), before, 10);

    DatasetPublisher publisher = new DatasetPublisher(spark, PublishHook.NONE,
        new VersionRetention(2, Duration.ofHours(1)), Clock.systemUTC());
    Manifest next = publisher.publish(contents(sft(4, "new"), null), target.toString());
    assertEquals(next, PublishedDataset.open(spark, target.toString()).manifest());
    assertFalse(Files.exists(orphan), "an unnamed version older than the grace is pruned");
    assertTrue(Files.exists(versions.resolve(current)), "the previous version is one of the two kept");
  }

  @Test
  void retentionKeepsTheLastVersionsAndAnyYoungerThanTheGrace() throws IOException {
    String target = dir.resolve("sft").toString();
    DatasetPublisher keepTwo = new DatasetPublisher(spark, PublishHook.NONE,
        new VersionRetention(2, Duration.ZERO), Clock.systemUTC());
    for (int i = 0; i < 4; i++) {
      keepTwo.publish(contents(sft(3 + i, "r" + i), null), target);
    }
    Path versions = dir.resolve("sft").resolve(DatasetLayout.VERSIONS);
    assertEquals(2, count(versions));
    assertEquals(2, count(dir.resolve("sft").resolve(DatasetLayout.POINTERS)));
    assertEquals(6, PublishedDataset.open(spark, target).rows().count());

    DatasetPublisher keepOneWithGrace = new DatasetPublisher(spark, PublishHook.NONE,
        new VersionRetention(1, Duration.ofHours(1)), Clock.systemUTC());
    keepOneWithGrace.publish(contents(sft(9, "r"), null), target);
    assertEquals(3, count(versions), "versions younger than the grace stay although past the count");
    assertEquals(9, PublishedDataset.open(spark, target).rows().count());
  }

  @Test
  void aSetIsPublishedUnderOnePointerAndAVetoLeavesEveryMemberAtItsPreviousVersion() throws IOException {
    String root = dir.resolve("world").toString();
    DatasetPublisher publisher = new DatasetPublisher(spark);
    java.util.Map<String, Manifest> first = publishedSet(publisher, root);
    assertEquals(first.get("a"), PublishedDataset.open(spark, root + "/a").manifest());
    assertEquals(7, PublishedDataset.open(spark, root + "/b").rows().count());
    assertEquals(1, count(dir.resolve("world").resolve(DatasetLayout.POINTERS)), "one pointer for the set");

    DatasetPublisher vetoing = new DatasetPublisher(spark, (fs, version) -> {
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(version, "b/" + Manifest.FILE_NAME)), "b is written");
      throw new IOException("veto");
    }, VersionRetention.DEFAULT, Clock.systemUTC());
    assertThrows(java.io.UncheckedIOException.class, () -> vetoing.publishSet(root,
        java.util.Map.of("a", contents(sft(2, "new"), null), "b", contents(sft(3, "new"), null))));
    assertUnchanged(root + "/a", first.get("a"), 5);
    assertUnchanged(root + "/b", first.get("b"), 7);
  }

  /**
   * Two part files of the same size are read in name order even when the file system lists them the other way
   * round (Spark orders a scan's files by size alone), so a job reading them writes the same parts every run.
   */
  @Test
  void partsOfEqualSizeAreReadInNameOrderWhateverTheListingOrder() throws IOException {
    spark.sparkContext().hadoopConfiguration().set("fs." + ReversedListingFileSystem.SCHEME + ".impl",
        ReversedListingFileSystem.class.getName());
    String target = ReversedListingFileSystem.SCHEME + "://" + dir.resolve("equal").toAbsolutePath();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String letter = i < 5 ? "a" : "b"; // the first five rows make part 0, the last five part 1
      rows.add(RowFactory.create("s:f:" + i, "s", Columns.SPLIT_TRAIN, Columns.BENIGN, false, null, null, null,
          letter.repeat(20) + i % 5, letter.repeat(30), null));
    }
    new DatasetPublisher(spark).publish(contents(spark.createDataFrame(rows, Columns.SFT).coalesce(2), null),
        target);
    PublishedDataset published = PublishedDataset.open(spark, target);
    List<Long> sizes = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(published.version().dir().toUri().getPath()))) {
      files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted()
          .forEach(f -> sizes.add(f.toFile().length()));
    }
    assertEquals(2, sizes.size());
    assertEquals(sizes.get(0), sizes.get(1), "the two parts must tie on size for the listing order to matter");
    List<String> read = published.rows().select(Columns.PROMPT).collectAsList().stream()
        .map(r -> r.getString(0)).toList();
    assertEquals("a".repeat(20) + "0", read.get(0), "part 0 first: " + read);
    assertEquals("b".repeat(20) + "4", read.get(9));
  }

  /** Members are staged side by side: one failing waits for the others, then the whole set is dropped. */
  @Test
  void aSetWithAFailingMemberLeavesEveryMemberAtItsPreviousVersion() throws IOException {
    String root = dir.resolve("failing-set").toString();
    DatasetPublisher publisher = new DatasetPublisher(spark);
    java.util.Map<String, Manifest> first = publishedSet(publisher, root);
    Dataset<Row> failing = failingAtRow37();
    java.util.Map<String, DatasetContents> second = new java.util.LinkedHashMap<>();
    second.put("a", contents(sft(40, "new"), null));
    second.put("b", contents(failing, null));
    second.put("c", contents(sft(30, "new"), null));
    Exception e = assertThrows(Exception.class, () -> publisher.publishSet(root, second));
    assertTrue(String.valueOf(e.getMessage()).contains("boom at row 37")
        || String.valueOf(e.getCause()).contains("boom"), String.valueOf(e));
    assertUnchanged(root + "/a", first.get("a"), 5);
    assertUnchanged(root + "/b", first.get("b"), 7);
    try (Stream<Path> versions = Files.list(dir.resolve("failing-set").resolve(DatasetLayout.VERSIONS))) {
      assertEquals(1, versions.count(), "the failed publication's version directory is deleted");
    }
  }

  @Test
  void aDatasetInTheLayoutBeforeVersionsIsReadInPlaceUntilRepublished() throws IOException {
    Path target = dir.resolve("sft");
    sft(6, "old").write().parquet(target.toString());
    Files.writeString(target.resolve(Manifest.FILE_NAME), io.stagewise.data.manifest.ManifestCodec.toJson(
        new DatasetPublisher(spark).publish(contents(sft(6, "old"), null), dir.resolve("tmp").toString())));
    PublishedDataset legacy = PublishedDataset.open(spark, target.toString());
    assertEquals("", legacy.version().version());
    assertEquals(6, legacy.rows().count());

    Manifest next = new DatasetPublisher(spark).publish(contents(sft(3, "new"), null), target.toString());
    PublishedDataset republished = PublishedDataset.open(spark, target.toString());
    assertEquals(next, republished.manifest());
    assertEquals(3, republished.rows().count(), "the new version shadows the rows left in place");
  }

  private static String only(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertEquals(1, names.size(), names.toString());
      return names.get(0);
    }
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> !p.getFileName().toString().startsWith(".")).count();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  private static void assertUnchanged(String target, Manifest before, long rows) {
    PublishedDataset after = PublishedDataset.open(spark, target);
    assertEquals(before, after.manifest());
    assertEquals(rows, after.rows().count());
    assertEquals(rows, after.rows().where(col(Columns.RESPONSE).startsWith("old")).count());
    assertEquals(before.fingerprint(),
        io.stagewise.data.manifest.ContentFingerprint.of(after.rows()).digest());
  }
}
