package io.stagewise.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of Spark stages on the console. On a terminal, one line of running stages is rewritten in place
 * at most twice a second; in a log (no terminal) only stages that ran for a while leave a line, so a long
 * job shows it is moving without flooding the output with Spark's many small bookkeeping stages.
 */
final class ConsoleProgress extends SparkListener {
  private static final long REFRESH_MS = 500;
  private static final long WORTH_A_LINE_MS = 3000;

  private final PrintStream out;
  private final boolean terminal = System.console() != null;
  private final Map<Integer, Stage> running = new ConcurrentHashMap<>();
  private int liveWidth;
  private long lastRefresh;

  private static final class Stage {
    final String name;
    final int tasks;
    final long startMs = System.currentTimeMillis();
    volatile int done;

    Stage(String name, int tasks) {
      this.name = name;
      this.tasks = tasks;
    }
  }

  ConsoleProgress(PrintStream out) {
    this.out = out;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    running.put(event.stageInfo().stageId(), new Stage(shortName(event.stageInfo().name()),
        event.stageInfo().numTasks()));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    Stage stage = running.get(event.stageId());
    if (stage != null) {
      stage.done++;
      refresh();
    }
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted event) {
    int id = event.stageInfo().stageId();
    Stage stage = running.remove(id);
    if (stage == null) {
      return;
    }
    long elapsed = System.currentTimeMillis() - stage.startMs;
    if (elapsed >= WORTH_A_LINE_MS) {
      clearLive();
      String outcome = event.stageInfo().failureReason().isDefined() ? "failed" : "done";
      out.printf("stage %d (%s): %d tasks %s in %.1f s%n", id, stage.name, stage.tasks, outcome, elapsed / 1e3);
    }
  }

  private synchronized void refresh() {
    long now = System.currentTimeMillis();
    if (!terminal || now - lastRefresh < REFRESH_MS) {
      return;
    }
    lastRefresh = now;
    StringBuilder line = new StringBuilder();
    running.forEach((id, s) -> {
      if (now - s.startMs >= REFRESH_MS) {
        line.append(String.format("[stage %d %s: %d/%d] ", id, s.name, s.done, s.tasks));
      }
    });
    clearLive();
    out.print(line);
    out.flush();
    liveWidth = line.length();
  }

  private void clearLive() {
    if (liveWidth > 0) {
      out.print("\r" + " ".repeat(liveWidth) + "\r");
      liveWidth = 0;
    }
  }

  private static String shortName(String name) {
    int at = name.indexOf(" at ");
    return at > 0 ? name.substring(0, at) : name;
  }
}
