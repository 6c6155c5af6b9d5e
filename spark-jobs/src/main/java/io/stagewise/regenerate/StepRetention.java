package io.stagewise.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.manifest.ManifestReader;
import io.stagewise.trainer.data.version.DatasetLayout;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Which step directories of a family's own work directory ({@code WORK/stages/<kind>/<key>}) may go after a
 * publication: those no version still under {@code OUTPUT/_versions} was made from (each version's manifests
 * record its steps, {@link FamilyPublication}) and no running regenerate has leased ({@link StepLeases}).
 * Readers never read steps (a version holds copies), so keeping every present version's steps is what lets a
 * reverted change reuse them while that version exists.
 */
final class StepRetention {
  private final Configuration conf;

  StepRetention(Configuration conf) {
    this.conf = conf;
  }

  /**
   * Deletes the step directories under {@code work} that neither a version of {@code output} nor
   * {@code leased} names; returns them as {@code kind/key}, in name order.
   */
  List<String> prune(String output, Path work, Set<String> leased) {
    try {
      Set<String> used = versionSteps(new Path(output));
      FileSystem fs = work.getFileSystem(conf);
      List<String> deleted = new ArrayList<>();
      for (FileStatus kind : list(fs, new Path(work, "stages"))) {
        for (FileStatus step : list(fs, kind.getPath())) {
          String name = kind.getPath().getName() + "/" + step.getPath().getName();
          if (!used.contains(name) && !leased.contains(name) && fs.delete(step.getPath(), true)) {
            deleted.add(name);
          }
        }
      }
      return deleted.stream().sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prune the steps under " + work + ": " + e.getMessage(), e);
    }
  }

  /**
   * The steps every version of the family was made from. A version without a readable regenerate record is
   * passed over: one being written belongs to a running regenerate, whose lease holds its steps, and one a
   * killed run left half-written is never read (no pointer names it).
   */
  private Set<String> versionSteps(Path output) throws IOException {
    FileSystem fs = output.getFileSystem(conf);
    Set<String> out = new HashSet<>();
    for (FileStatus version : list(fs, DatasetLayout.versionsDir(output))) {
      for (FileStatus member : list(fs, version.getPath())) {
        recordedSteps(member.getPath()).forEach(out::add);
      }
    }
    return out;
  }

  private List<String> recordedSteps(Path member) {
    JsonNode recorded;
    try {
      recorded = ManifestReader.read(conf, member.toString()).spec();
    } catch (RuntimeException e) {
      return List.of(); // no manifest yet: a member being written
    }
    List<String> out = new ArrayList<>();
    if (recorded != null && FamilyPublication.JOB.equals(recorded.path("job").asText())) {
      recorded.path(FamilyPublication.STEPS).forEach(step -> out.add(step.asText()));
    }
    return out;
  }

  private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
    try {
      return fs.listStatus(dir, p -> !p.getName().startsWith(".") && !p.getName().startsWith("_"));
    } catch (FileNotFoundException e) {
      return new FileStatus[0];
    }
  }
}
