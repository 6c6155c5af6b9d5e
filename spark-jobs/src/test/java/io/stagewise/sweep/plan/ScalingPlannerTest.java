package io.stagewise.sweep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.sweep.CheckedInSweeps;
import io.stagewise.sweep.spec.ScalingSpec;
import io.stagewise.sweep.spec.SpecOverrides;
import io.stagewise.sweep.spec.SweepSpecReader;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ScalingPlannerTest {

  private static ScalingPlan plan(String file, String... overrides) {
    ObjectNode tree = CheckedInSweeps.tree(file);
    SpecOverrides.apply(tree, List.of(overrides));
    return ScalingPlanner.plan((ScalingSpec) SweepSpecReader.load(tree, file));
  }

  @Test
  void oneCorpusAndOneRunPerSizeInnovationAndSeed() {
    ScalingPlan plan = plan("ceg-small.yaml");
    assertEquals(2 * 10 * 2, plan.runs().size());
    assertEquals(1, plan.count(StageKind.CORPUS));
    assertEquals(40, plan.count(StageKind.PRETRAIN), "every innovation set builds a different model");
    assertEquals(plan.stages().size(), plan.stages().stream().map(StageNode::key).distinct().count());
    Set<String> seen = new HashSet<>();
    for (StageNode node : plan.stages()) {
      node.parents().values().forEach(p -> assertTrue(seen.contains(p.key()), node.label()));
      seen.add(node.key());
    }
    ScalingPlan.Run first = plan.runs().get(0);
    assertEquals(List.of("tiny", "baseline", 1L), List.of(first.size(), first.innovation(), first.seed()));
  }

  @Test
  void eachPresetGetsBlocksOfItsOwnContextWhenTheSpecNamesNone() {
    ScalingPlan plan = plan("ceg-paper.yaml");
    assertEquals(2, plan.count(StageKind.CORPUS));
    Set<Integer> blocks = plan.stages().stream().filter(s -> s.kind() == StageKind.CORPUS)
        .map(s -> s.config().get("block_size").asInt()).collect(Collectors.toSet());
    assertEquals(Set.of(513, 1025), blocks);
  }

  @Test
  void analysisAndExecutionSettingsAreNotPartOfAnyKey() {
    assertEquals(keys(plan("ceg-small.yaml")), keys(plan("ceg-small.yaml", "ceg.resamples=10",
        "ceg.confidence=0.9", "execution.training_slots=1", "execution.intra_op_threads=2")));
  }

  @Test
  void theScheduleChangesEveryRunButNotTheCorpus() {
    Map<String, String> before = keys(plan("ceg-small.yaml"));
    Map<String, String> after = keys(plan("ceg-small.yaml", "lm.lr=0.001"));
    before.forEach((label, key) -> assertEquals(label.startsWith("corpus"), key.equals(after.get(label)), label));
  }

  @Test
  void droppingAnInnovationKeepsEveryOtherRun() {
    Map<String, String> all = keys(plan("ceg-small.yaml"));
    ObjectNode tree = CheckedInSweeps.tree("ceg-small.yaml");
    ((ObjectNode) tree.get("innovations")).remove("moe");
    Map<String, String> fewer = keys(ScalingPlanner.plan((ScalingSpec) SweepSpecReader.load(tree, "ceg-small")));
    assertEquals(all.size() - 4, fewer.size());
    fewer.forEach((label, key) -> assertEquals(all.get(label), key, label));
  }

  @Test
  void aSeedChangesOnlyItsOwnRuns() {
    Map<String, String> two = keys(plan("ceg-small.yaml"));
    Map<String, String> one = keys(plan("ceg-small.yaml", "grid.seeds=[2]"));
    one.forEach((label, key) -> assertEquals(two.get(label), key, label));
  }

  private static Map<String, String> keys(ScalingPlan plan) {
    return plan.stages().stream().collect(Collectors.toMap(StageNode::label, StageNode::key));
  }
}
