package io.stagewise.data.importer;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.manifest.ManifestCodec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An import: sources of one dataset kind, normalised and published together as one dataset.
 *
 * @param output the URI to publish to
 * @param kind sft, preference or prompts; every source's format must produce it
 * @param sources the inputs, with unique names
 */
public record ImportSpec(
    @JsonProperty("output") String output,
    @JsonProperty("kind") DatasetKind kind,
    @JsonProperty("sources") List<SourceSpec> sources) {

  public ImportSpec {
    sources = sources == null ? List.of() : List.copyOf(sources);
    SpecCheck check = new SpecCheck("import spec")
        .require(output != null && !output.isBlank(), "output", "is required")
        .require(kind != null && kind.isText(), "kind", "must be sft, preference or prompts, got " + kind)
        .require(!sources.isEmpty(), "sources", "needs at least one source");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      SourceSpec source = sources.get(i);
      check.require(names.add(source.name()), "sources[" + i + "].name", "'" + source.name() + "' is used twice")
          .require(kind == null || source.format().produces(kind), "sources[" + i + "].format",
              source.format().wireName() + " cannot produce a " + (kind == null ? "?" : kind.wireName()) + " dataset");
    }
    check.validate();
  }

  /** The spec as the manifest records it. */
  public JsonNode toJson() {
    return ManifestCodec.mapper().valueToTree(this);
  }
}
