package io.stagewise.sweep.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.SweepPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs a {@link SweepPlan}'s DAG: stages already finished in the {@link StageStore} are skipped; every other
 * stage becomes ready as soon as its parents are finished and starts when a slot of its kind is free, data
 * stages on a small pool of driver threads (each submitting Spark jobs) and training stages on a pool as wide
 * as the training slots (each handing one run to the {@link TrainingLauncher}). Among ready stages the one
 * with the longest chain of work below it starts first ({@link CriticalPath}). After a failure no new stage
 * starts; the running ones finish (their work is kept for the rerun) and the failure is rethrown naming the
 * stage.
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
    Comparator<StageNode> order = CriticalPath.order(stages);
    Slots dataPool = new Slots("sweep-data", dataSlots, data, order);
    Slots trainingPool = new Slots("sweep-training", trainingSlots, training, order);
    BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    int executed = 0;
    Finished failure = null;
    try {
      moveReady(waiting, done, dataPool, trainingPool);
      int running = dataPool.startFree(finished, progress) + trainingPool.startFree(finished, progress);
      while (running > 0) {
        Finished f = finished.take();
        running--;
        (f.node().kind().isTraining() ? trainingPool : dataPool).release();
        if (f.error() != null) {
          progress.failed(f.node(), f.error());
          failure = failure == null ? f : failure;
          continue;
        }
        executed++;
        done.add(f.node().key());
        moveReady(waiting, done, dataPool, trainingPool);
        progress.finished(f.node(), f.seconds(), notStarted(waiting, dataPool, trainingPool));
        if (failure == null) {
          running += dataPool.startFree(finished, progress) + trainingPool.startFree(finished, progress);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("sweep interrupted", e);
    } finally {
      dataPool.close();
      trainingPool.close();
    }
    if (failure != null) {
      throw new SweepStageException(failure.node(), failure.error());
    }
    return new Outcome(executed, skipped);
  }

  /** Stages not started yet: those waiting for parents and those ready for a slot (the ETA's work). */
  private static List<StageNode> notStarted(Map<String, StageNode> waiting, Slots dataPool, Slots trainingPool) {
    List<StageNode> out = new ArrayList<>(waiting.values());
    out.addAll(dataPool.ready);
    out.addAll(trainingPool.ready);
    return out;
  }

  /** Moves every waiting stage whose parents are all finished to its pool's ready queue. */
  private static void moveReady(Map<String, StageNode> waiting, Set<String> done, Slots dataPool,
      Slots trainingPool) {
    for (Iterator<StageNode> it = waiting.values().iterator(); it.hasNext(); ) {
      StageNode node = it.next();
      if (node.parents().values().stream().allMatch(p -> done.contains(p.key()))) {
        it.remove();
        (node.kind().isTraining() ? trainingPool : dataPool).ready.add(node);
      }
    }
  }

  /** One kind's slots: its ready stages, best first, and the threads that run them. */
  private final class Slots implements AutoCloseable {
    final PriorityQueue<StageNode> ready;
    private final ExecutorService threads;
    private final StageExecutor executor;
    private int free;

    Slots(String name, int slots, StageExecutor executor, Comparator<StageNode> order) {
      this.ready = new PriorityQueue<>(order);
      this.threads = Executors.newFixedThreadPool(slots, daemon(name));
      this.executor = executor;
      this.free = slots;
    }

    /** Starts ready stages, best first, while slots are free; returns how many started. */
    int startFree(BlockingQueue<Finished> finished, SweepProgress progress) {
      int started = 0;
      while (free > 0 && !ready.isEmpty()) {
        StageNode node = ready.poll();
        free--;
        started++;
        progress.started(node);
        threads.execute(() -> finished.add(execute(node, executor)));
      }
      return started;
    }

    void release() {
      free++;
    }

    @Override
    public void close() {
      threads.shutdownNow();
    }
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
