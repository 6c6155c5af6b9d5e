package io.stagewise.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsLogTest {

  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();

  @Test
  void writesOneJsonObjectPerLineWithTheAgreedFields() {
    Path file = new Path(dir.resolve("metrics.jsonl").toUri());
    try (MetricsLog log = MetricsLog.create(file, conf)) {
      log.train(new TrainRecord(10, 5120, 1.5e12, 3.25, 3e-4, 0.8, 2048));
      log.eval(new EvalRecord(10, 5120, 1.5e12, 3.5, 900));
    }
    List<JsonNode> records = MetricsLog.read(file, conf);
    assertEquals(2, records.size());
    JsonNode train = records.get(0);
    assertEquals("train", train.get("kind").asText());
    for (String field : List.of("step", "tokens", "flops", "loss", "lr", "grad_norm", "tokens_per_s")) {
      assertTrue(train.has(field), field);
    }
    assertEquals(1.5e12, train.get("flops").asDouble());
    assertEquals("eval", records.get(1).get("kind").asText());
    assertEquals(900, records.get(1).get("targets").asLong());
  }

  @Test
  void resumeKeepsRecordsUpToTheCheckpointStep() {
    Path file = new Path(dir.resolve("metrics.jsonl").toUri());
    try (MetricsLog log = MetricsLog.create(file, conf)) {
      for (int step = 1; step <= 6; step++) {
        log.train(new TrainRecord(step, step, step, 1, 1, 1, 1));
      }
    }
    try (MetricsLog log = MetricsLog.resume(file, conf, 4)) {
      log.train(new TrainRecord(5, 5, 5, 0.5, 1, 1, 1));
    }
    List<JsonNode> records = MetricsLog.read(file, conf);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), records.stream().map(r -> r.get("step").asLong()).toList());
    assertEquals(0.5, records.get(4).get("loss").asDouble());
  }

  /**
   * A resume rewrites the file: whichever file-system call it (or a later commit) dies at, the next attempt
   * resuming from the same checkpoint still finds every record up to it. Checked with a file system that
   * renames over files (local) and one that does not (HDFS).
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aCrashAnywhereInAResumeLosesNoRecordUpToTheCheckpoint(boolean renameOverwrites) {
    Configuration crashing = CrashingFileSystem.configuration();
    Path file = CrashingFileSystem.at(dir.resolve("run").resolve("metrics.jsonl"));
    int crashPoints = 0;
    for (int crashAt = 1; ; crashAt++) {
      CrashingFileSystem.crashAtCall(0, renameOverwrites);
      try (MetricsLog log = MetricsLog.create(file, crashing)) {
        for (int step = 1; step <= 6; step++) {
          log.train(new TrainRecord(step, step, step, 1, 1, 1, 1));
        }
      }
      CrashingFileSystem.crashAtCall(crashAt, renameOverwrites);
      try (MetricsLog log = MetricsLog.resume(file, crashing, 4)) {
        log.train(new TrainRecord(5, 5, 5, 0.5, 1, 1, 1));
        log.commit(); // before the checkpoint of step 5
        log.train(new TrainRecord(6, 6, 6, 0.5, 1, 1, 1));
      } catch (UncheckedIOException e) {
        assertTrue(CrashingFileSystem.crashed(), e.toString());
      }
      boolean crashed = CrashingFileSystem.crashed();
      assertFalse(CrashingFileSystem.createdNames().contains("metrics.jsonl"),
          "metrics.jsonl is only ever replaced by a rename: " + CrashingFileSystem.createdNames());

      CrashingFileSystem.crashAtCall(0, renameOverwrites);
      MetricsLog.resume(file, crashing, 4).close(); // the next attempt, from the checkpoint of step 4
      assertEquals(List.of(1L, 2L, 3L, 4L), steps(MetricsLog.read(file, crashing)), "crash at call " + crashAt);
      if (!crashed) {
        break;
      }
      crashPoints++;
    }
    assertTrue(crashPoints >= 9, "three commits of create, close and rename(s): " + crashPoints);
  }

  private static List<Long> steps(List<JsonNode> records) {
    return records.stream().map(r -> r.get("step").asLong()).toList();
  }

  @Test
  void progressLineShowsStepLossThroughputAndEta() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), 100)
        .step(new TrainRecord(50, 50_000, 1e9, 2.5, 3e-4, 1, 1000));
    // 50 steps left at 1000 tokens/step and 1000 tokens/s: 50 s.
    assertEquals("step 50/100 | loss 2.5000 | lr 3.00e-04 | 1.0k tok/s | ETA 50s",
        bytes.toString(StandardCharsets.UTF_8).strip());
  }
}
