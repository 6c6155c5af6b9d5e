package io.stagewise.data;

import io.stagewise.data.manifest.Manifest;

/**
 * What a data-plane job reports back to its caller (the CLI prints it, the sweep driver records it).
 *
 * @param output the URI of the published dataset
 * @param manifest the manifest it was published with
 */
public record JobSummary(String output, Manifest manifest) {
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
    return String.format("%s: %s, %,d rows, %,d rejected, fingerprint %s",
        output, manifest.kind().wireName(), rows(), rejected(), fingerprint());
  }
}
