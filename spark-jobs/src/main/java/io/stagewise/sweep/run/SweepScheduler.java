package io.stagewise.sweep.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.SweepPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs a {@link SweepPlan}'s DAG: stages already finished in the {@link StageStore} are skipped; every other
 * stage starts as soon as its parents are finished, data stages on a small pool of driver threads (each
 * submitting Spark jobs) and training stages on a pool as wide as the training slots (each handing one run to
 * the {@link TrainingLauncher}). After a failure no new stage starts; the running ones finish (their work is
 * kept for the rerun) and the failure is rethrown naming the stage.
 */
public final class SweepScheduler {
  private final StageStore store;
  private final StageExecutor data;
  private final StageExecutor training;
  private final int dataSlots;
  private final int trainingSlots;

  /** What a run of the scheduler did. */
  public record Outcome(int executed, int skipped) {}

  private record Finished(StageNode node, double seconds, Throwable error) {}

  /** A queued stage dropped because another stage failed: it runs on the next attempt. */
  private static final class NotStarted extends RuntimeException {
    NotStarted() {
      super(null, null, false, false);
    }
  }

  private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
  /** Stages handed to a pool that no slot has taken yet (a scaling sweep queues all its runs at once). */
  private final Map<String, StageNode> queued = new java.util.concurrent.ConcurrentHashMap<>();

  public SweepScheduler(StageStore store, StageExecutor data, StageExecutor training, int dataSlots,
      int trainingSlots) {
    this.store = store;
    this.data = data;
    this.training = training;
    this.dataSlots = dataSlots;
    this.trainingSlots = trainingSlots;
  }

  public Outcome run(SweepPlan plan, SweepProgress progress) {
    return run(plan.stages(), progress);
  }

  /** Runs {@code stages} (every parent before its children), whatever pipeline planned them. */
  public Outcome run(List<StageNode> stages, SweepProgress progress) {
    stopping.set(false);
    queued.clear();
    Set<String> done = new HashSet<>();
    Map<String, StageNode> waiting = new LinkedHashMap<>();
    for (StageNode node : stages) {
      if (store.isComplete(node)) {
        done.add(node.key());
      } else {
        waiting.put(node.key(), node);
      }
    }
    int skipped = done.size();
    progress.skipped(skipped);
    ExecutorService dataPool = Executors.newFixedThreadPool(dataSlots, daemon("sweep-data"));
    ExecutorService trainingPool = Executors.newFixedThreadPool(trainingSlots, daemon("sweep-training"));
    BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    int running = 0;
    int executed = 0;
    Finished failure = null;
    try {
      running += startReady(waiting, done, dataPool, trainingPool, finished, progress);
      while (running > 0) {
        Finished f = finished.take();
        running--;
        if (f.error() != null) {
          if (!(f.error() instanceof NotStarted)) {
            progress.failed(f.node(), f.error());
            failure = failure == null ? f : failure;
            stopping.set(true);
          }
          continue;
        }
        executed++;
        done.add(f.node().key());
        progress.finished(f.node(), f.seconds(), notStarted(waiting));
        if (failure == null) {
          running += startReady(waiting, done, dataPool, trainingPool, finished, progress);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("sweep interrupted", e);
    } finally {
      dataPool.shutdownNow();
      trainingPool.shutdownNow();
    }
    if (failure != null) {
      throw new SweepStageException(failure.node(), failure.error());
    }
    return new Outcome(executed, skipped);
  }

  /** Stages no slot has taken yet: those waiting for parents and those queued for a slot (the ETA's work). */
  private List<StageNode> notStarted(Map<String, StageNode> waiting) {
    List<StageNode> out = new ArrayList<>(waiting.values());
    out.addAll(queued.values());
    return out;
  }

  private int startReady(Map<String, StageNode> waiting, Set<String> done, ExecutorService dataPool,
      ExecutorService trainingPool, BlockingQueue<Finished> finished, SweepProgress progress) {
    List<StageNode> ready = new ArrayList<>();
    for (StageNode node : waiting.values()) {
      if (node.parents().values().stream().allMatch(p -> done.contains(p.key()))) {
        ready.add(node);
      }
    }
    for (StageNode node : ready) {
      waiting.remove(node.key());
      queued.put(node.key(), node);
      ExecutorService pool = node.kind().isTraining() ? trainingPool : dataPool;
      StageExecutor executor = node.kind().isTraining() ? training : data;
      pool.execute(() -> {
        if (stopping.get()) {
          finished.add(new Finished(node, 0, new NotStarted()));
          return;
        }
        queued.remove(node.key());
        progress.started(node); // when a slot takes it, not when it is queued
        finished.add(execute(node, executor));
      });
    }
    return ready.size();
  }

  private Finished execute(StageNode node, StageExecutor executor) {
    long start = System.nanoTime();
    try {
      JsonNode outcome = executor.execute(node, store);
      double seconds = (System.nanoTime() - start) / 1e9;
      store.complete(node, outcome, seconds);
      return new Finished(node, seconds, null);
    } catch (Throwable t) {
      return new Finished(node, 0, t);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
