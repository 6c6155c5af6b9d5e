package io.stagewise.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.sweep.CheckedInSweeps;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.StageWork;
import io.stagewise.sweep.plan.SweepPlan;
import io.stagewise.sweep.plan.SweepPlanner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CriticalPathTest {
  private final SweepPlan plan = SweepPlanner.plan(CheckedInSweeps.spec("quickstart.yaml"));

  /** The order the scheduler starts the quickstart's stages in when all of a kind are ready at once. */
  private List<StageNode> sorted(StageKind... kinds) {
    List<StageNode> out = new ArrayList<>(plan.stages().stream().filter(n -> List.of(kinds).contains(n.kind()))
        .toList());
    out.sort(CriticalPath.order(plan.stages()));
    return out;
  }

  @Test
  void everySftRunStartsBeforeTheCleanRewardModelAndThePreferenceRuns() {
    List<StageNode> training = sorted(StageKind.SFT, StageKind.REWARD_MODEL, StageKind.DPO, StageKind.EVALUATE);
    assertEquals(List.of(StageKind.SFT, StageKind.SFT, StageKind.SFT, StageKind.SFT, StageKind.SFT, StageKind.SFT,
        StageKind.REWARD_MODEL), training.subList(0, 7).stream().map(StageNode::kind).toList());
    assertTrue(training.subList(7, 13).stream().allMatch(n -> n.kind() == StageKind.DPO));
  }

  @Test
  void theSftPoisonJobsComeBeforeThePreferenceOnes() {
    List<StageNode> poison = sorted(StageKind.POISON);
    assertEquals(10, poison.size());
    for (int i = 0; i < poison.size(); i++) {
      assertEquals(i < 5, poison.get(i).label().startsWith("poison sft"), poison.get(i).label());
    }
  }

  @Test
  void aChainIsItsOwnWorkPlusItsLongestChildChain() {
    Map<String, Double> chain = CriticalPath.lengths(plan.stages());
    for (StageNode node : plan.stages()) {
      double below = plan.stages().stream().filter(c -> c.parents().containsValue(node))
          .mapToDouble(c -> chain.get(c.key())).max().orElse(0);
      assertEquals(below + StageWork.of(node), chain.get(node.key()), 1e-9, node.label());
    }
    StageNode sft = plan.stages().stream().filter(n -> n.kind() == StageKind.SFT).findFirst().orElseThrow();
    // 1200 steps x 32 rows, a DPO run of 100 x 16 pairs, an evaluation of 100 harmful prompts (clean and
    // triggered) and 100 benign ones.
    assertEquals(1200 * 32 + 2 * 100 * 16 + 100 * 2 + 100, chain.get(sft.key()), 1e-9);
  }
}
