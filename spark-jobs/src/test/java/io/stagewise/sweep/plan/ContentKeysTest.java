package io.stagewise.sweep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.sweep.CheckedInSweeps;
import io.stagewise.sweep.ImportedSources;
import io.stagewise.sweep.PublishedManifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stage keys know outside inputs by content: republishing, moving and format bumps. */
class ContentKeysTest {
  @TempDir Path dir;

  private Path publish(String root, String fingerprint) throws IOException {
    return PublishedManifests.publish(dir.resolve(root), fingerprint);
  }

  private static SweepPlan published(Path base) {
    return SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml", PublishedManifests.dataOverride(base)));
  }

  @Test
  void aDatasetRepublishedAtTheSamePathInvalidatesEveryDependentStage() throws IOException {
    Path base = publish("nightly", "monday");
    SweepPlan monday = published(base);
    PublishedManifests.republish(base, "sft", "tuesday");
    SweepPlan tuesday = published(base);
    assertDisjoint(monday, tuesday);
    assertEquals("tuesday-sft", tuesday.stages().get(0).config().get(SweepPlanner.FINGERPRINTS).get("sft").asText(),
        "the planned fingerprint travels to the executor, which checks it");
  }

  @Test
  void theSameContentAtAnotherPathChangesNoKey() throws IOException {
    assertEquals(keys(published(publish("a", "same"))), keys(published(publish("b", "same"))));
  }

  @Test
  void aMissingPublishedDatasetFailsNamingItsField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> published(dir));
    assertTrue(e.getMessage().startsWith("data.datasets."), e.getMessage());
  }

  @Test
  void aChangedTokenizerFileChangesEveryStageDownstreamOfIt() throws IOException {
    Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": 1}");
    Path moved = Files.writeString(Files.createDirectory(dir.resolve("moved")).resolve("tokenizer.json"),
        "{\"version\": 1}");
    SweepPlan before = withTokenizer(tokenizer);
    assertEquals(keys(before), keys(withTokenizer(moved)), "same bytes elsewhere");
    Files.writeString(tokenizer, "{\"version\": 2}");
    SweepPlan after = withTokenizer(tokenizer);
    Set<String> old = keys(before);
    for (StageNode node : after.stages()) {
      // The world does not tokenize; every other stage reads tokens or a tokenizer.
      assertEquals(node.kind() == StageKind.WORLD, old.contains(node.key()), node.label());
    }
  }

  @Test
  void rewardModelsFromAHuggingFaceDirectoryAreKeyedByItsFilesNotItsPath() throws IOException {
    Path here = hfDirectory("here", "weights 1");
    SweepPlan before = withRewardModelInit(here);
    assertEquals(keys(before), keys(withRewardModelInit(hfDirectory("elsewhere", "weights 1"))), "same files elsewhere");
    Set<String> fromScratch = keys(SweepPlanner.plan(CheckedInSweeps.spec("quickstart-ppo.yaml")));
    for (StageNode node : before.stages()) {
      boolean rewardModel = node.kind() == StageKind.REWARD_MODEL;
      assertEquals(rewardModel, node.config().has(DataNodes.INIT), node.label());
      assertTrue(!rewardModel || !node.config().has("model"), node.label() + ": the architecture is the directory's");
    }
    Files.writeString(here.resolve("model.safetensors"), "weights 2");
    SweepPlan after = withRewardModelInit(here);
    Set<String> old = keys(before);
    for (StageNode node : after.stages()) {
      // Reward models, PPO (which optimises one) and the evaluations (which score with the clean one) change.
      boolean downstream = node.kind() == StageKind.REWARD_MODEL || node.kind() == StageKind.PPO
          || node.kind() == StageKind.EVALUATE;
      assertEquals(!downstream, old.contains(node.key()), node.label());
      assertEquals(!downstream, fromScratch.contains(node.key()), node.label() + " against reward models from scratch");
    }
  }

  @Test
  void sftModelsFromAHuggingFaceDirectoryAreKeyedByItsFilesNotItsPath() throws IOException {
    Path here = hfDirectory("base", "weights 1");
    SweepPlan before = withSftInit(here);
    assertEquals(keys(before), keys(withSftInit(hfDirectory("moved", "weights 1"))), "same files elsewhere");
    for (StageNode node : before.stages()) {
      boolean sft = node.kind() == StageKind.SFT;
      assertEquals(sft, node.config().has(DataNodes.INIT), node.label());
      assertTrue(!sft || !node.config().has("model"), node.label() + ": the architecture is the directory's");
    }
    Files.writeString(here.resolve("model.safetensors"), "weights 2");
    Set<String> old = keys(before);
    for (StageNode node : withSftInit(here).stages()) {
      // SFT, DPO (which starts from the SFT model) and the evaluations (of the DPO model) change.
      boolean downstream = node.kind() == StageKind.SFT || node.kind() == StageKind.DPO
          || node.kind() == StageKind.EVALUATE;
      assertEquals(!downstream, old.contains(node.key()), node.label());
    }
  }

  @Test
  void aPlanningReadsEachFileOfAHuggingFaceDirectoryOnce() throws IOException {
    Path base = hfDirectory("base", "weights 1");
    InputContent inputs = InputContent.of(new Configuration());
    SweepPlan plan = SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml", "sft.init=hf:" + base), inputs);
    long sftStages = plan.stages().stream().filter(node -> node.kind() == StageKind.SFT).count();
    assertTrue(sftStages > 1, "the quickstart starts several SFT models from the directory");
    // An 8B model's weights are 16 GB: hashed once per planning, not once per stage that starts from them.
    assertEquals(2, inputs.filesRead(), "config.json and model.safetensors, once each");
  }

  private static SweepPlan withSftInit(Path directory) {
    return SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml", "sft.init=hf:" + directory));
  }

  private Path hfDirectory(String name, String weights) throws IOException {
    Path directory = Files.createDirectories(dir.resolve(name));
    Files.writeString(directory.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
    Files.writeString(directory.resolve("model.safetensors"), weights);
    return directory;
  }

  private static SweepPlan withRewardModelInit(Path directory) {
    return SweepPlanner.plan(CheckedInSweeps.spec("quickstart-ppo.yaml", "reward_model.init=hf:" + directory));
  }

  @Test
  void bumpingTheDataFormatVersionChangesDataStageKeys() {
    InputContent current = InputContent.of(new Configuration());
    SweepPlan before = SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml"), current);
    SweepPlan after = SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml"),
        current.withDataFormatVersion(InputContent.DATA_FORMAT_VERSION + 1));
    assertDisjoint(before, after);
    // A training stage's own key part does not hold the version: only its data parents carry it in.
    StageNode world = before.stages().get(0);
    assertEquals(StageNode.key(StageKind.SFT, world.config(), Map.of("data", world), 1),
        StageNode.key(StageKind.SFT, world.config(), Map.of("data", world), 2));
    assertNotEquals(StageNode.key(StageKind.POISON, world.config(), Map.of("data", world), 1),
        StageNode.key(StageKind.POISON, world.config(), Map.of("data", world), 2));
  }

  @Test
  void aChangedImportSourceFileReKeysExactlyTheStagesDownstreamOfItsRole() {
    ImportedSources files = ImportedSources.write(dir.resolve("sources"));
    for (ImportedSources.Role role : ImportedSources.Role.values()) {
      SweepPlan before = imported(files);
      files.change(role);
      SweepPlan after = imported(files);
      String changed = "import " + role.name().toLowerCase(java.util.Locale.ROOT);
      Set<String> old = keys(before);
      assertEquals(before.stages().size(), after.stages().size());
      int reused = 0;
      for (StageNode node : after.stages()) {
        assertEquals(readsFrom(node, changed), !old.contains(node.key()), node.label());
        reused += old.contains(node.key()) && node.kind().isTraining() ? 1 : 0;
      }
      assertTrue(reused > 0, "the other role's models are reused");
    }
  }

  private static boolean readsFrom(StageNode node, String label) {
    return node.label().equals(label) || node.parents().values().stream().anyMatch(p -> readsFrom(p, label));
  }

  private static SweepPlan imported(ImportedSources files) {
    return SweepPlanner.plan(CheckedInSweeps.spec("sft-dpo-real.yaml", files.dataSection(),
        "tokenizer={kind: byte_level}"));
  }

  private static SweepPlan withTokenizer(Path file) {
    return SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml", "tokenizer={kind: huggingface, path: " + file + "}"));
  }

  private static void assertDisjoint(SweepPlan before, SweepPlan after) {
    Set<String> old = keys(before);
    assertEquals(before.stages().size(), after.stages().size());
    after.stages().forEach(n -> assertTrue(!old.contains(n.key()), n.label() + " must be rebuilt"));
  }

  private static Set<String> keys(SweepPlan plan) {
    return plan.stages().stream().map(StageNode::key).collect(Collectors.toSet());
  }
}
