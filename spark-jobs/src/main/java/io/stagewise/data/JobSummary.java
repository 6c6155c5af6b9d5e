package io.stagewise.data;

import io.stagewise.data.manifest.Manifest;
import java.util.List;

/**
 * What a data-plane job reports back to its caller (the CLI prints it, the sweep driver records it).
 *
 * @param output the URI of the published dataset
 * @param manifest the manifest it was published with
 * @param inputs for an import, what became of each input file's records; empty for other jobs
 */
public record JobSummary(String output, Manifest manifest, List<InputFileTally> inputs) {
  public JobSummary {
    inputs = List.copyOf(inputs);
  }

  public JobSummary(String output, Manifest manifest) {
    this(output, manifest, List.of());
  }

  public long rows() {
    return manifest.rows();
  }

  public long rejected() {
    return manifest.rejectedRows();
  }

  public String fingerprint() {
    return manifest.fingerprint();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(String.format("%s: %s, %,d rows, %,d rejected, fingerprint %s",
        output, manifest.kind().wireName(), rows(), rejected(), fingerprint()));
    inputs.forEach(tally -> out.append("\n  ").append(tally));
    return out.toString();
  }
}
