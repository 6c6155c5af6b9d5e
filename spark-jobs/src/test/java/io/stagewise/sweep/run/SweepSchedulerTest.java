package io.stagewise.sweep.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepSchedulerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path out;

  /** Records the order stages start in and how many run at once; each takes {@code millis}. */
  private static final class Recorder implements StageExecutor {
    final List<String> started = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    private final long millis;
    private final String failing;

    Recorder(long millis, String failing) {
      this.millis = millis;
      this.failing = failing;
    }

    @Override
    public JsonNode execute(StageNode node, StageStore store) {
      started.add(node.label());
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        running.decrementAndGet();
      }
      if (node.label().equals(failing)) {
        throw new IllegalStateException("broken on purpose");
      }
      return JSON.createObjectNode();
    }
  }

  private static StageNode stage(StageKind kind, String label, int steps, int batch, StageNode... parents) {
    ObjectNode config = JSON.createObjectNode().put("label", label);
    config.putObject("train").put("steps", steps).put("batch_size", batch);
    Map<String, StageNode> roles = new java.util.LinkedHashMap<>();
    for (int i = 0; i < parents.length; i++) {
      roles.put("p" + i, parents[i]);
    }
    return StageNode.of(kind, label, config, roles);
  }

  private SweepScheduler.Outcome run(List<StageNode> stages, Recorder data, Recorder training, int slots,
      ByteArrayOutputStream log) {
    StageStore store = new StageStore(out.toUri().toString(), new Configuration());
    PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);
    return new SweepScheduler(store, data, training, 1, slots).run(stages, new SweepProgress(progress, stages.size(),
        1, slots));
  }

  @Test
  void theStageWithTheLongestChainBelowItStartsFirst() {
    StageNode world = stage(StageKind.WORLD, "world", 0, 0);
    // Listed first, but its chain (100 x 64) is shorter than the SFT run's with its DPO run below it.
    StageNode reward = stage(StageKind.REWARD_MODEL, "reward", 100, 32, world);
    StageNode sft = stage(StageKind.SFT, "sft", 1200, 32, world);
    StageNode dpo = stage(StageKind.DPO, "dpo", 100, 16, sft);
    Recorder training = new Recorder(5, null);
    SweepScheduler.Outcome outcome = run(List.of(world, reward, sft, dpo), new Recorder(0, null), training, 1,
        new ByteArrayOutputStream());
    assertEquals(List.of("sft", "reward", "dpo"), training.started);
    assertEquals(4, outcome.executed());
  }

  @Test
  void noMoreStagesRunAtOnceThanTheirSlotsAndEachStartIsLoggedWhenItsSlotIsFree() {
    StageNode world = stage(StageKind.WORLD, "world", 0, 0);
    List<StageNode> runs = java.util.stream.IntStream.range(0, 5)
        .mapToObj(i -> stage(StageKind.SFT, "sft " + i, 10, 1, world)).toList();
    List<StageNode> stages = new java.util.ArrayList<>(List.of(world));
    stages.addAll(runs);
    Recorder training = new Recorder(40, null);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    run(stages, new Recorder(0, null), training, 2, log);
    assertEquals(2, training.most.get());
    for (String line : log.toString(StandardCharsets.UTF_8).split("\n")) {
      // The progress line's running count: the world (data) or at most the two training slots.
      assertTrue(!line.contains("| running ") || Integer.parseInt(line.replaceAll(".*\\| running (\\d+).*", "$1")) <= 2,
          line);
    }
  }

  @Test
  void afterAFailureNoNewStageStartsAndTheFailureNamesItsStage() {
    StageNode world = stage(StageKind.WORLD, "world", 0, 0);
    StageNode first = stage(StageKind.SFT, "first", 20, 1, world);
    StageNode second = stage(StageKind.SFT, "second", 10, 1, world);
    Recorder training = new Recorder(5, "first");
    SweepStageException e = assertThrows(SweepStageException.class,
        () -> run(List.of(world, first, second), new Recorder(0, null), training, 1, new ByteArrayOutputStream()));
    assertTrue(e.getMessage().contains("'first'"), e.getMessage());
    assertEquals(List.of("first"), training.started);
    StageStore store = new StageStore(out.toUri().toString(), new Configuration());
    assertTrue(store.isComplete(world));
    assertTrue(!store.isComplete(second), "the stage that never started runs on the rerun");
  }
}
