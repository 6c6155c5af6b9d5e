package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.JobSummary;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.synth.WorldSynthJob;
import io.stagewise.data.synth.WorldSynthSpec;
import io.stagewise.poison.world.WorldConfig;
import io.stagewise.trainer.data.version.DatasetLayout;
import io.stagewise.trainer.data.version.DatasetResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;

/**
 * Publishing on an object store through S3A, against S3Proxy on loopback: no rename is trusted for
 * atomicity, only the pointer written last. A writer JVM killed mid-publication leaves the previous set
 * current, and a reader during republications never sees two versions mixed.
 */
class DatasetS3IT extends OnS3Proxy {
  @Test
  void publishesAndRepublishesADatasetAndAWorldSet() throws IOException {
    String target = s3.uri("single/sft");
    DatasetPublisher publisher = new DatasetPublisher(spark);
    publisher.publish(TaggedSftRows.contents(spark, 30, 3, "one"), target);
    assertEquals(new TaggedSftRows.Seen("one", List.of("one"), 30, 30), TaggedSftRows.read(spark, target));
    publisher.publish(TaggedSftRows.contents(spark, 12, 2, "two"), target);
    assertEquals(new TaggedSftRows.Seen("two", List.of("two"), 12, 12), TaggedSftRows.read(spark, target));

    WorldSynthSpec world = new WorldSynthSpec(s3.uri("world"), WorldConfig.withSeed(3), 200, 16, 8, 8);
    List<JobSummary> summaries = WorldSynthJob.run(spark, world);
    assertEquals(6, summaries.size());
    for (JobSummary s : summaries) {
      PublishedDataset read = PublishedDataset.open(spark, s.output());
      // Field by field: the spec's JSON numbers may come back as other node types than were written.
      assertEquals(s.manifest().fingerprint(), read.manifest().fingerprint(), s.output());
      assertEquals(s.manifest().kind(), read.manifest().kind(), s.output());
      assertEquals(s.manifest().builtAt(), read.manifest().builtAt(), s.output());
      assertEquals(s.rows(), read.rows().count(), s.output());
    }
    assertEquals(1, files(s3.uri("world/" + DatasetLayout.POINTERS)).size(), "one pointer for the world");
  }

  @Test
  void aWriterKilledMidPublicationLeavesThePreviousSetAndTheNextPublicationSucceeds() throws Exception {
    String root = s3.uri("killed");
    new DatasetPublisher(spark).publishSet(root, set("before", 40, 2));
    String before = new DatasetResolver(conf()).resolve(root + "/b").version();

    Process writer = startWriter(root, "during", 2000, 16);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
    List<String> partial = List.of();
    while (partial.isEmpty() && writer.isAlive() && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
      partial = files(root + "/" + DatasetLayout.VERSIONS).stream()
          .filter(f -> !f.contains(before) && f.contains("/b/") && f.substring(f.lastIndexOf('/') + 1)
              .startsWith("part-")).toList();
    }
    assertTrue(writer.isAlive(), "the writer must still be publishing when killed: "
        + Files.readString(tmp.resolve("writer.log")));
    writer.destroyForcibly().waitFor();
    assertFalse(partial.isEmpty(), "the writer had written part files of member b");
    assertFalse(Files.readString(tmp.resolve("writer.log")).contains("published during"));

    for (String member : List.of("a", "b")) {
      TaggedSftRows.Seen seen = TaggedSftRows.read(spark, root + "/" + member);
      assertEquals("before", seen.manifestTag(), member);
      assertTrue(seen.consistent(), member + ": " + seen);
    }
    assertEquals(before, new DatasetResolver(conf()).resolve(root + "/a").version(), "a and b from one version");

    new DatasetPublisher(spark).publishSet(root, set("after", 40, 2));
    for (String member : List.of("a", "b")) {
      TaggedSftRows.Seen seen = TaggedSftRows.read(spark, root + "/" + member);
      assertEquals("after", seen.manifestTag(), member);
      assertTrue(seen.consistent(), member + ": " + seen);
    }
  }

  @Test
  void aReaderDuringRepublicationsNeverSeesTwoVersionsMixed() throws Exception {
    String root = s3.uri("concurrent");
    DatasetPublisher publisher = new DatasetPublisher(spark);
    publisher.publishSet(root, set("v0", 200, 4));
    List<TaggedSftRows.Seen> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean done = new AtomicBoolean();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      try {
        while (!done.get()) {
          seen.add(TaggedSftRows.read(spark, root + "/b"));
        }
      } catch (Throwable t) {
        failures.add(t);
      }
    });
    reader.start();
    for (int i = 1; i <= 3; i++) {
      publisher.publishSet(root, set("v" + i, 200 + 50 * i, 4));
    }
    done.set(true);
    reader.join();
    assertEquals(List.of(), failures);
    Set<String> tags = new TreeSet<>();
    for (TaggedSftRows.Seen s : seen) {
      assertTrue(s.consistent(), "mixed versions: " + s);
      tags.add(s.manifestTag());
    }
    assertTrue(tags.size() >= 2, "the reader ran across a republication: " + tags + " in " + seen.size() + " reads");
  }

  private static Map<String, DatasetContents> set(String tag, long rows, int partitions) {
    Map<String, DatasetContents> members = new LinkedHashMap<>();
    members.put("a", TaggedSftRows.contents(spark, 20, 1, tag));
    members.put("b", TaggedSftRows.contents(spark, rows, partitions, tag));
    return members;
  }

  private static org.apache.hadoop.conf.Configuration conf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  /** Every file under {@code uri}, recursively, as paths. */
  private static List<String> files(String uri) throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    FileSystem fs = path.getFileSystem(conf());
    List<String> out = new ArrayList<>();
    if (!fs.exists(path)) {
      return out;
    }
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true);
    while (it.hasNext()) {
      out.add(it.next().getPath().toString());
    }
    return out;
  }

  private static Process startWriter(String root, String tag, long rows, int partitions) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
    command.addAll(Files.readAllLines(Path.of("..", "conf", "jvm.args")).stream().map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
    command.addAll(s3.sparkSystemProperties());
    command.addAll(List.of("-Xmx768m", "-cp", System.getProperty("java.class.path"), S3SetWriter.class.getName(),
        root, tag, Long.toString(rows), Integer.toString(partitions)));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("writer.log").toFile())
        .start();
  }
}
