package io.stagewise.sweep.run;

import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.StageWork;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which the scheduler starts stages that are ready at the same time: the longest chain of
 * {@link StageWork} from a stage down to the end of the DAG first (list scheduling by critical path). In an
 * SFT → DPO sweep that puts every SFT run, with its DPO run and evaluation below it, before the clean reward
 * model that only the evaluations need, and the SFT poison jobs before the preference ones, so the slots do
 * the long chains early instead of leaving them for the end. Ties keep the plan's order. Only the order
 * changes: every stage computes the same thing whenever it runs.
 */
final class CriticalPath {
  private CriticalPath() {}

  /** Ready stages first to last, for {@code stages} listed parents before children. */
  static Comparator<StageNode> order(List<StageNode> stages) {
    Map<String, Double> chain = lengths(stages);
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < stages.size(); i++) {
      position.putIfAbsent(stages.get(i).key(), i);
    }
    return Comparator.<StageNode>comparingDouble(n -> -chain.getOrDefault(n.key(), 0.0))
        .thenComparingInt(n -> position.getOrDefault(n.key(), Integer.MAX_VALUE));
  }

  /** Each stage's own work plus the longest chain among the stages that read it. */
  static Map<String, Double> lengths(List<StageNode> stages) {
    Map<String, Double> chain = new HashMap<>();
    // Children come after their parents, so walking backwards finishes every child before its parents.
    for (int i = stages.size() - 1; i >= 0; i--) {
      StageNode node = stages.get(i);
      double length = chain.getOrDefault(node.key(), 0.0) + StageWork.of(node);
      chain.put(node.key(), length);
      for (StageNode parent : node.parents().values()) {
        chain.merge(parent.key(), length, Math::max);
      }
    }
    return chain;
  }
}
