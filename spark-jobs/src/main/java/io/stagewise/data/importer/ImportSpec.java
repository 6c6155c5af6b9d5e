package io.stagewise.data.importer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.data.spec.SpecFields;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An import: sources of one dataset kind, normalised and published together as one dataset.
 *
 * @param output the URI to publish to
 * @param kind sft, preference or prompts; every source's format must produce it
 * @param sources the inputs, with unique names
 * @param allowEmpty publish even when no row is imported (default false: such an import fails and the
 *     dataset already at {@code output} stays as it was)
 */
public record ImportSpec(
    @JsonProperty("output") String output,
    @JsonProperty("kind") DatasetKind kind,
    @JsonProperty("sources") List<SourceSpec> sources,
    @JsonProperty("allow_empty") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean allowEmpty) {

  public ImportSpec(String output, DatasetKind kind, List<SourceSpec> sources) {
    this(output, kind, sources, false);
  }

  public ImportSpec {
    sources = sources == null ? List.of() : List.copyOf(sources);
    SpecCheck check = new SpecCheck("import spec")
        .require(output != null && !output.isBlank(), "output", "is required")
        .require(kind != null && kind.isText(), "kind", "must be sft, preference or prompts, got " + kind)
        .require(!sources.isEmpty(), "sources", "must be a non-empty list of sources");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      SourceSpec source = sources.get(i);
      check.require(names.add(source.name()), "sources[" + i + "].name", "'" + source.name() + "' is used twice")
          .require(kind == null || source.format().produces(kind), "sources[" + i + "].format",
              source.format().wireName() + " cannot produce a " + (kind == null ? "?" : kind.wireName()) + " dataset");
    }
    check.validate();
  }

  /**
   * Reads an import spec (YAML tree): every problem at once, each under its YAML path, unknown keys
   * included ({@code sources[0].catgory}), so that a misspelt key never falls back to a default.
   */
  public static ImportSpec parse(JsonNode tree, String origin) {
    SpecCheck check = new SpecCheck("import spec " + origin);
    SpecFields fields = new SpecFields(check);
    if (tree == null || !tree.isObject()) {
      check.require(false, "spec", "must be a mapping of output, kind and sources");
      check.validate();
    }
    fields.onlyKeys(tree, "", SpecFields.recordKeys(ImportSpec.class));
    String output = fields.text(tree, "", "output", null);
    DatasetKind kind = fields.convert("kind", tree.get("kind"),
        n -> n == null || n.isNull() ? null : DatasetKind.fromWireName(n.asText()));
    List<SourceSpec> sources = SourceSpec.readList(tree, "", "sources", fields);
    JsonNode allow = tree.get("allow_empty");
    fields.require(allow == null || allow.isBoolean(), "allow_empty", "must be true or false, got " + allow);
    // The spec's own checks (names used twice, formats that cannot produce the kind) index the sources,
    // so they run only when every source was read.
    ImportSpec spec = sources.size() != tree.path("sources").size() ? null
        : fields.flattened("", () -> new ImportSpec(output, kind, sources, allow != null && allow.asBoolean()));
    check.validate();
    return spec;
  }

  public ImportSpec withAllowEmpty(boolean allow) {
    return new ImportSpec(output, kind, sources, allow);
  }

  /** The spec as the manifest records it. */
  public JsonNode toJson() {
    return ManifestCodec.mapper().valueToTree(this);
  }
}
