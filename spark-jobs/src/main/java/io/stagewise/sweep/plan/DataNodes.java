package io.stagewise.sweep.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.importer.SourceSpec;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.data.tokenize.TruncationPolicy;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.Budget;
import io.stagewise.poison.attack.Stage;
import io.stagewise.sweep.spec.DataSource;
import io.stagewise.trainer.data.version.ResolvedDataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data stages of a DAG as keyed {@link StageNode}s: the clean source (world, import, published datasets),
 * attackers applied to one stage's clean set, and tokenisation. Sweeps ({@link SweepPlanner}) and dataset
 * families ({@code data regenerate}) build their data stages here, so the same work has the same key in both.
 * Every outside input is named by content ({@link InputContent}); the tokenizer by its kind and file hash.
 */
public final class DataNodes {
  /** The published stage's config field holding each dataset's resolved version directory, by role. */
  public static final String VERSIONS = "versions";
  /** An import step's config fields: the role it imports ({@link #IMPORT_ROLES}) and that role's sources. */
  public static final String ROLE = "role";
  public static final String SOURCES = "sources";
  /** The roles of an import, each its own step; the hold-out step's parents, by the same names. */
  public static final List<String> IMPORT_ROLES = List.of("sft", "preference", "eval_harmful");

  private final InputContent inputs;
  /** The config field of a stage that starts from a Hugging Face directory ({@code hf:DIR}). */
  public static final String INIT = "init";

  private final TokenizerSpec tokenizer;
  private final TruncationPolicy truncation;
  private final ObjectNode tokenizerIdentity;

  public DataNodes(InputContent inputs, TokenizerSpec tokenizer, TruncationPolicy truncation) {
    this.inputs = inputs;
    this.tokenizer = tokenizer;
    this.truncation = truncation;
    this.tokenizerIdentity = tokenizerIdentity(tokenizer, inputs);
  }

  /** The tokenizer as keys know it: its kind and the hash of its file, not the file's location. */
  static ObjectNode tokenizerIdentity(TokenizerSpec tokenizer, InputContent inputs) {
    ObjectNode identity = SweepPlanner.object().put("kind", tokenizer.kind());
    if (tokenizer.path() != null) {
      identity.put("content", inputs.fileHash("tokenizer.path", tokenizer.path()));
    }
    return identity;
  }

  /**
   * The steps producing the clean datasets. The world and published datasets are one step. Published datasets
   * are resolved here, once: the stage's config holds the version each role resolved to ({@value #VERSIONS}),
   * which every later stage reads, so a republication while the DAG runs cannot hand two stages two versions.
   * They are keyed by their manifests' fingerprints; the executor checks they still hold. Imports are a step
   * per role and the hold-out ({@link #imported}).
   */
  public SourceSteps source(DataSource source) {
    ObjectNode config = SweepPlanner.object();
    if (source instanceof DataSource.World w) {
      config.put("seed", w.world().seed()).put("harmful_fraction", w.world().harmfulFraction())
          .put("held_out_fraction", w.world().heldOutFraction()).put("sft_rows", w.sftRows())
          .put("preference_rows", w.preferenceRows()).put("eval_rows", w.evalRows());
      return SourceSteps.single(node(StageKind.WORLD, "synthetic world", config, Map.of()));
    }
    if (source instanceof DataSource.Imported i) {
      return imported(i);
    }
    DataSource.Published p = (DataSource.Published) source;
    config.put("sft", p.sft()).put("preference", p.preference()).put("eval_harmful", p.evalHarmful())
        .put("eval_benign", p.evalBenign());
    ObjectNode fingerprints = config.putObject(SweepPlanner.FINGERPRINTS);
    ObjectNode versions = config.putObject(VERSIONS);
    for (String role : List.of("sft", "preference", "eval_harmful", "eval_benign")) {
      String field = "data.datasets." + role;
      ResolvedDataset version = inputs.resolve(field, config.get(role).asText());
      versions.put(role, version.dir().toString());
      fingerprints.put(role, inputs.datasetFingerprint(field, version));
    }
    ObjectNode identity = SweepPlanner.object();
    identity.set(SweepPlanner.FINGERPRINTS, fingerprints.deepCopy());
    return SourceSteps.single(keyed(StageKind.PUBLISHED, "published datasets", config, identity, Map.of()));
  }

  /**
   * Real sources as one import step per role, each keyed by its own files only (the SFT step also holds the
   * benign evaluation prompts out, by {@code holdout_fraction}), and the harmful evaluation prompts held out
   * against every training prompt in a step of their own ({@link StageKind#HOLD_OUT}), whose key is its
   * parents'. A changed source file so re-keys its role's import, what is built from it and the hold-out.
   */
  private SourceSteps imported(DataSource.Imported i) {
    Map<String, StageNode> imports = new LinkedHashMap<>();
    List<List<SourceSpec>> sources = List.of(i.sft(), i.preference(), i.evalHarmful());
    for (int n = 0; n < IMPORT_ROLES.size(); n++) {
      String role = IMPORT_ROLES.get(n);
      ObjectNode config = SweepPlanner.object().put(ROLE, role);
      if (role.equals("sft")) {
        config.put("holdout_fraction", i.holdoutFraction());
      }
      ObjectNode identity = config.deepCopy();
      config.set(SOURCES, ManifestCodec.mapper().valueToTree(sources.get(n)));
      identity.set(SOURCES, sourceIdentities(role, sources.get(n)));
      imports.put(role, keyed(StageKind.IMPORT, "import " + role, config, identity, Map.of()));
    }
    StageNode holdOut = node(StageKind.HOLD_OUT, "hold out eval_harmful", SweepPlanner.object(), imports);
    List<StageNode> steps = new java.util.ArrayList<>(imports.values());
    steps.add(holdOut);
    return new SourceSteps(steps, Map.of("sft", imports.get("sft"), "eval-benign", imports.get("sft"),
        "preference", imports.get("preference"), "eval-harmful", holdOut));
  }

  /**
   * The config of a POISON stage applying {@code attackers} to {@code stage}'s clean set; with
   * {@link #tokenized} around it the stage also tokenizes what it poisoned (as sweeps do).
   */
  public ObjectNode poisonConfig(Stage stage, List<AttackSpec> attackers) {
    ObjectNode config = SweepPlanner.object().put("stage", stage.specName());
    ArrayNode list = config.putArray("attackers");
    for (AttackSpec a : attackers) {
      ObjectNode node = list.addObject().put("name", a.name()).put("kind", a.kind().specName())
          .put("eligible", a.eligible().specName())
          // A zero budget changes no row, so the selection seed cannot matter.
          .put("seed", a.budget().value().signum() == 0 ? 0 : a.seed());
      budgetJson(a.budget(), node.putObject("budget"));
      a.triggers().forEach(node.withArray("triggers")::add);
    }
    return config;
  }

  /** {@code config} with the tokenizer and truncation every token dataset is made with. */
  public ObjectNode tokenized(ObjectNode config) {
    config.set("tokenizer", ManifestCodec.mapper().valueToTree(tokenizer));
    config.set("truncation", ManifestCodec.mapper().valueToTree(truncation));
    return config;
  }

  /**
   * A stage keyed by its config with the tokenizer's location replaced by its content, and the location of a model
   * it starts from ({@link #INIT}, {@code hf:DIR}) by the content of the directory's files.
   */
  public StageNode node(StageKind kind, String label, ObjectNode config, Map<String, StageNode> parents) {
    ObjectNode identity = config.deepCopy();
    if (identity.has("tokenizer")) {
      identity.set("tokenizer", tokenizerIdentity);
    }
    if (identity.has(INIT)) {
      String directory = java.net.URI.create(identity.get(INIT).asText()).getSchemeSpecificPart();
      identity.put(INIT, inputs.namedFilesHash(kind.name().toLowerCase(java.util.Locale.ROOT) + ".init",
          List.of(directory)));
    }
    return keyed(kind, label, config, identity, parents);
  }

  /** Import sources with their files named by content (and base name, which row ids are built from). */
  private ArrayNode sourceIdentities(String role, List<SourceSpec> sources) {
    ArrayNode out = SweepPlanner.json().createArrayNode();
    for (int n = 0; n < sources.size(); n++) {
      SourceSpec s = sources.get(n);
      String field = "data.import." + role + "[" + n + "]";
      ObjectNode identity = ManifestCodec.mapper().valueToTree(s);
      identity.remove("paths");
      identity.put("content", inputs.namedFilesHash(field + ".paths", s.paths()));
      if (s.completions() != null) {
        identity.put("completions", inputs.fileHash(field + ".completions", s.completions()));
      }
      out.add(identity);
    }
    return out;
  }

  private StageNode keyed(StageKind kind, String label, ObjectNode config, ObjectNode identity,
      Map<String, StageNode> parents) {
    return StageNode.of(kind, label, config, identity, parents, inputs.dataFormatVersion());
  }

  static void budgetJson(Budget budget, ObjectNode into) {
    into.put(budget.isFraction() ? "fraction" : "count", budget.value().toPlainString());
  }
}
