package io.stagewise.data.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one JSON mapping of {@link Manifest}: sorted map keys and indentation so that manifests of equal
 * content are byte-equal apart from {@code built_at}, and diff well.
 */
public final class ManifestCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  // Only manifests tolerate unknown fields: newer writers may add some, and an older reader still
  // understands the ones it knows. Specs bound with mapper() never do: a misspelt key is an error.
  private static final ObjectReader MANIFEST_READER = MAPPER.readerFor(Manifest.class)
      .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ManifestCodec() {}

  public static String toJson(Manifest manifest) {
    try {
      return MAPPER.writeValueAsString(manifest);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise manifest", e);
    }
  }

  /** Parses a manifest; {@code origin} names where it came from in error messages. */
  public static Manifest fromJson(String json, String origin) {
    Manifest manifest;
    try {
      manifest = MANIFEST_READER.readValue(json);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + ": not a valid manifest: " + e.getMessage(), e);
    }
    if (manifest.schemaVersion() < 1 || manifest.schemaVersion() > Manifest.SCHEMA_VERSION) {
      throw new IllegalArgumentException(origin + ": schema_version " + manifest.schemaVersion()
          + " is not supported by this build (supports 1.." + Manifest.SCHEMA_VERSION + ")");
    }
    if (manifest.kind() == null || manifest.fingerprint() == null) {
      throw new IllegalArgumentException(origin + ": manifest lacks 'kind' or 'fingerprint'");
    }
    return manifest;
  }

  /**
   * The shared mapper, for turning spec records into the manifest's {@code spec} tree and back; it fails
   * on unknown properties.
   */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
