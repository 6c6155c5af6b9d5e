package io.stagewise.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.sweep.plan.StageNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The steps running regenerates use, so pruning never deletes one under them: each run writes a lease
 * ({@code WORK/_leases/<id>.json}: when it started, every step of its plan as {@code kind/key}) before it
 * checks or builds any step, and deletes it when it ends. A lease older than {@link #STALE} is a killed run's
 * and is ignored; its age is the start time it records, never a file time (directory times are 0 on S3A).
 */
final class StepLeases {
  static final String DIR = "_leases";
  /** The age past which a lease is taken for a killed run's: far longer than any regenerate runs. */
  static final Duration STALE = Duration.ofDays(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Configuration conf;

  StepLeases(Path work, Configuration conf) {
    this.dir = new Path(work, DIR);
    this.conf = conf;
  }

  /** A held lease; closing it releases the steps. */
  interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  /** Leases {@code steps} until the returned lease is closed. */
  Lease hold(List<StageNode> steps, Instant now) {
    ObjectNode lease = JSON.createObjectNode().put("started_at", now.toString());
    steps.forEach(s -> lease.withArray("steps").add(step(s)));
    Path file = new Path(dir, UUID.randomUUID() + ".json");
    try {
      FileSystem fs = file.getFileSystem(conf);
      try (OutputStream out = fs.create(file, false)) {
        out.write(JSON.writeValueAsBytes(lease));
      }
      return () -> {
        try {
          fs.delete(file, false);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot release step lease " + file, e);
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write step lease " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Every step a lease younger than {@link #STALE} holds; empty when a lease cannot be read (one being
   * written, on a file system where that shows), so the caller prunes nothing rather than guess.
   */
  Optional<Set<String>> held(Instant now) {
    Set<String> out = new HashSet<>();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      for (FileStatus file : list(fs)) {
        JsonNode lease;
        try (InputStream in = fs.open(file.getPath())) {
          lease = JSON.readTree(in);
        } catch (FileNotFoundException e) {
          continue; // released meanwhile
        } catch (IOException e) {
          return Optional.empty();
        }
        Instant started = Instant.parse(lease.path("started_at").asText(Instant.EPOCH.toString()));
        if (started.plus(STALE).isAfter(now)) {
          lease.path("steps").forEach(s -> out.add(s.asText()));
        }
      }
      return Optional.of(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read step leases under " + dir + ": " + e.getMessage(), e);
    }
  }

  private FileStatus[] list(FileSystem fs) throws IOException {
    try {
      return fs.listStatus(dir, p -> p.getName().endsWith(".json"));
    } catch (FileNotFoundException e) {
      return new FileStatus[0];
    }
  }

  /** How leases, version records and the work directory name a step. */
  static String step(StageNode node) {
    return node.kind().dirName() + "/" + node.key();
  }
}
