package io.stagewise.sweep;

import io.stagewise.data.DatasetKind;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** The four published datasets of an {@code sft-dpo} sweep as bare manifests: what planning reads of them. */
public final class PublishedManifests {
  public static final Map<String, DatasetKind> ROLES = Map.of("sft", DatasetKind.SFT,
      "preference", DatasetKind.PREFERENCE, "eval_harmful", DatasetKind.PROMPTS, "eval_benign", DatasetKind.PROMPTS);

  private PublishedManifests() {}

  /** Publishes every role under {@code base}, each with fingerprint {@code <fingerprint>-<role>}. */
  public static Path publish(Path base, String fingerprint) throws IOException {
    for (String role : ROLES.keySet()) {
      republish(base, role, fingerprint);
    }
    return base;
  }

  /** Writes {@code role}'s manifest again, with fingerprint {@code <fingerprint>-<role>}. */
  public static void republish(Path base, String role, String fingerprint) throws IOException {
    Path data = Files.createDirectories(base.resolve(role));
    Files.writeString(data.resolve(Manifest.FILE_NAME), ManifestCodec.toJson(new Manifest(Manifest.SCHEMA_VERSION,
        ROLES.get(role), null, 10, null, null, 0, null, fingerprint + "-" + role, "2026-01-01T00:00:00Z", null)));
  }

  /** The {@code --set} override pointing a spec's data at the datasets under {@code base}. */
  public static String dataOverride(Path base) {
    return ROLES.keySet().stream().sorted().map(r -> r + ": " + base.resolve(r))
        .collect(Collectors.joining(", ", "data={datasets: {", "}}"));
  }
}
