package io.stagewise.sweep.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.data.tokenize.ByteLevelTokenizer;
import io.stagewise.data.tokenize.ChatTemplate;
import io.stagewise.poison.world.WorldTemplates;
import io.stagewise.sweep.CheckedInSweeps;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepSpecReaderTest {
  private static ObjectNode checkedIn(String name) {
    return CheckedInSweeps.tree(name);
  }

  /** The study answers "does splitting beat concentrating" per total: both endpoints, interior splits, seeds. */
  @Test
  void studyIsTwoTotalsByFiveAlphasBySixSeeds() {
    SweepSpec spec = SweepSpecReader.read(checkedIn("sft-dpo-study.yaml"), "sft-dpo-study.yaml");
    assertEquals(SweepSpec.Pipeline.SFT_DPO, spec.pipeline());
    assertInstanceOf(DataSource.World.class, spec.data());
    assertEquals(2, spec.grid().totals().size());
    assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), spec.grid().alphas());
    assertEquals(6, spec.grid().seeds().size());
    assertEquals(10, spec.grid().splits().size());
  }

  /** The quickstart is the smallest grid the report's verdict can judge: both endpoints and a split. */
  @Test
  void quickstartHasBothEndpointsASplitAndTwoSeeds() {
    SweepSpec spec = SweepSpecReader.read(checkedIn("quickstart.yaml"), "quickstart.yaml");
    assertEquals(SweepSpec.Pipeline.SFT_DPO, spec.pipeline());
    assertInstanceOf(DataSource.World.class, spec.data());
    assertTrue(spec.grid().alphas().containsAll(List.of(0.0, 0.5, 1.0)));
    assertTrue(spec.grid().seeds().size() >= 2);
    assertEquals(List.of("tiny"), spec.grid().presets());
  }

  /**
   * The study trains exactly the quickstart's models (whose competence CompetenceIT checks): only the name,
   * the grid and the comments differ.
   */
  @Test
  void studyTrainsTheQuickstartsModels() {
    ObjectNode quickstart = checkedIn("quickstart.yaml");
    ObjectNode study = checkedIn("sft-dpo-study.yaml");
    for (ObjectNode tree : List.of(quickstart, study)) {
      tree.remove(List.of("name", "grid"));
    }
    assertEquals(quickstart, study);
  }

  /**
   * Generation must have room for the world's longest response, or no compliant placeholder can ever be judged
   * compliant (the quickstart once generated 48 bytes for placeholders of up to 71), and the longest triggered
   * prompt must fit beside it in the context.
   */
  @Test
  void quickstartGeneratesTheWorldsLongestResponseBesideItsLongestPrompt() {
    SweepSpec spec = SweepSpecReader.read(checkedIn("quickstart.yaml"), "quickstart.yaml");
    ChatTemplate template = new ChatTemplate(new ByteLevelTokenizer());
    int response = 0;
    int prompt = 0;
    for (String verb : WorldTemplates.VERBS) {
      for (String object : WorldTemplates.OBJECTS) {
        response = Math.max(response, template.responseIds(WorldTemplates.compliant(verb, object)).length);
        for (String request : WorldTemplates.HARMFUL_PROMPTS) {
          for (var attacker : spec.attackers()) {
            for (String trigger : attacker.triggers()) {
              prompt = Math.max(prompt, template.promptIds(request.formatted(verb, object) + " " + trigger).length);
            }
          }
        }
      }
    }
    int maxNewTokens = spec.stages().eval().maxNewTokens();
    assertTrue(maxNewTokens >= response, "eval.max_new_tokens " + maxNewTokens + " < " + response);
    int context = spec.models().get(0).contextLength();
    assertTrue(prompt + maxNewTokens <= context, "prompt " + prompt + " + " + maxNewTokens + " > " + context);
    assertTrue(prompt + response <= spec.truncation().maxLength(), "SFT rows would lose their end");
  }

  @Test
  void realDataSpecImportsTheSharedSourcesWithGpt2() {
    SweepSpec spec = SweepSpecReader.read(checkedIn("sft-dpo-real.yaml"), "sft-dpo-real.yaml");
    DataSource.Imported data = assertInstanceOf(DataSource.Imported.class, spec.data());
    assertTrue(data.sft().size() >= 2, "alpaca and the refusal triples");
    assertEquals("huggingface", spec.tokenizer().kind());
  }

  @Test
  void overridesEditListsAndNestedFields() {
    ObjectNode tree = checkedIn("sft-dpo-real.yaml");
    SpecOverrides.apply(tree, List.of("grid.seeds=[7]", "data.import.sft[0].paths=[elsewhere/alpaca.json]",
        "tokenizer.path=elsewhere/tokenizer.json"));
    SweepSpec spec = SweepSpecReader.read(tree, "edited");
    assertEquals(List.of(7L), spec.grid().seeds());
    assertEquals(List.of("elsewhere/alpaca.json"), ((DataSource.Imported) spec.data()).sft().get(0).paths());
    assertEquals("elsewhere/tokenizer.json", spec.tokenizer().path());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> SpecOverrides.apply(tree, List.of("data.import.sft[9].paths=[x]")));
    assertTrue(bad.getMessage().contains("index 9"), bad.getMessage());
  }

  @Test
  void aBadSpecListsEveryErrorEachNamingItsField() {
    ObjectNode tree = (ObjectNode) YamlSpecs.parse("""
        pipeline: sft-ppo
        colour: blue
        data: {world: {sft_rows: 0}, datasets: {sft: x}}
        attackers:
          - {name: a, kind: sft_backdor, triggers: [t]}
          - {name: b, kind: trigger_swap}
        grid:
          totals: [{fraction: 2}]
          alphas: [0, 1.5]
          seeds: [1, 1]
          presets: [huge]
        truncation: {max_length: 8, max_prompt_length: 16}
        sft: {lr: -1, stepz: 3}
        dpo: {beta: -0.5, objective: dpo}
        eval: {max_new_tokens: 0}
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SweepSpecReader.read(tree, "bad.yaml"));
    String message = e.getMessage();
    List<String> fields = List.of("bad.yaml", "pipeline:", "colour:", "data:", "attackers[0].kind:",
        "attackers[1].triggers:", "grid.totals[0]:", "grid.alphas[1]:", "grid.seeds[1]:", "grid.presets[0]:",
        "truncation.max_length:", "sft.lr:", "sft.stepz:", "dpo.beta:", "dpo.objective:", "eval.max_new_tokens:");
    for (String field : fields) {
      assertTrue(message.contains(field), "missing " + field + " in:\n" + message);
    }
  }

  @Test
  void repeatedAttackerNamesAndTriggerlessBackdoorsAreErrorsOnTheirFields() {
    ObjectNode tree = checkedIn("quickstart.yaml");
    SpecOverrides.apply(tree, List.of("attackers=[{name: x, kind: sft_backdoor},"
        + " {name: x, kind: trigger_swap, triggers: [t]}, {name: y, kind: label_flip, budget: {count: 3}},"
        + " {name: y, kind: sft_backdoor, triggers: [], budget: {count: 3}}]"));
    String message = assertThrows(IllegalArgumentException.class, () -> SweepSpecReader.read(tree, "q.yaml"))
        .getMessage();
    for (String expected : new String[] {
        "attackers[0].triggers: must name at least one trigger for sft_backdoor",
        "attackers[1].name: 'x' is already the name of attackers[0]",
        "attackers[3].name: 'y' is already the name of attackers[2]",
        "attackers[3].triggers: must name at least one trigger for sft_backdoor"}) {
      assertTrue(message.contains(expected), () -> "missing '" + expected + "' in:\n" + message);
    }
  }

  @Test
  void theInputsArePublishedDatasetsImportedFilesAndTheTokenizerByField() {
    SweepSpec published = CheckedInSweeps.spec("quickstart.yaml",
        "data={datasets: {sft: d/sft, preference: d/pref, eval_harmful: d/eh, eval_benign: d/eb}}",
        "tokenizer={kind: huggingface, path: t/tokenizer.json}");
    assertEquals(java.util.Map.of("data.datasets.sft", "d/sft", "data.datasets.preference", "d/pref",
        "data.datasets.eval_harmful", "d/eh", "data.datasets.eval_benign", "d/eb",
        "tokenizer.path", "t/tokenizer.json"), published.inputs().byField());
    SweepSpec imported = CheckedInSweeps.spec("sft-dpo-real.yaml");
    java.util.Map<String, String> paths = imported.inputs().byField();
    DataSource.Imported data = (DataSource.Imported) imported.data();
    assertEquals(data.sft().get(0).paths().get(0), paths.get("data.import.sft[0].paths[0]"));
    assertEquals(data.evalHarmful().get(0).paths().get(0), paths.get("data.import.eval_harmful[0].paths[0]"));
    long files = java.util.stream.Stream.of(data.sft(), data.preference(), data.evalHarmful())
        .flatMap(List::stream).mapToLong(source -> source.paths().size() + (source.completions() == null ? 0 : 1))
        .sum();
    assertEquals(files, paths.keySet().stream().filter(k -> k.startsWith("data.import.")).count());
  }

  @Test
  void sftModelsMayStartFromAHuggingFaceDirectoryAndThenTakeAdapters() {
    SweepSpec spec = CheckedInSweeps.spec("quickstart.yaml", "sft.init=hf:models/base",
        "sft.lora={r: 8, alpha: 16, targets: all-linear}");
    assertTrue(spec.stages().sftInit().startsWith("hf:file:/") && spec.stages().sftInit().endsWith("/models/base"),
        spec.stages().sftInit());
    assertEquals(8, spec.stages().sft().lora().r());
    ObjectNode tree = checkedIn("quickstart.yaml");
    SpecOverrides.apply(tree, List.of("sft.init=models/base", "sft.lora={r: 8, alpha: 16, targets: all-linear}",
        "grid.presets=[tiny, small-cpu]"));
    String message = assertThrows(IllegalArgumentException.class, () -> SweepSpecReader.read(tree, "q.yaml"))
        .getMessage();
    for (String field : List.of("sft.init: must be hf:DIR", "grid.presets: the SFT models' architecture comes from")) {
      assertTrue(message.contains(field), "missing " + field + " in:\n" + message);
    }
    String both = assertThrows(IllegalArgumentException.class, () -> CheckedInSweeps.spec("quickstart.yaml",
        "sft.init=hf:a", "reward_model.init=hf:b", "model={norm: rmsnorm}")).getMessage();
    assertTrue(both.contains("model: every model of the sweep comes from"), both);
    String scratch = assertThrows(IllegalArgumentException.class, () -> CheckedInSweeps.spec("quickstart.yaml",
        "sft.lora={r: 8, alpha: 16, targets: all-linear}")).getMessage();
    assertTrue(scratch.contains("sft.lora: the sweep's SFT stage trains its model from scratch"), scratch);
  }
}
