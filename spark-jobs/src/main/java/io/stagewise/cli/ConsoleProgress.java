package io.stagewise.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * One progress line per running Spark stage on the console, rewritten in place at most every half
 * second, so a long job shows it is moving without flooding a log file.
 */
final class ConsoleProgress extends SparkListener {
  private static final long MIN_INTERVAL_MS = 500;

  private final PrintStream out;
  private final Map<Integer, int[]> tasks = new ConcurrentHashMap<>(); // stage -> {done, total}
  private final Map<Integer, String> names = new ConcurrentHashMap<>();
  private final AtomicInteger printedWidth = new AtomicInteger();
  private volatile long lastPrint;

  ConsoleProgress(PrintStream out) {
    this.out = out;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    int id = event.stageInfo().stageId();
    tasks.put(id, new int[] {0, event.stageInfo().numTasks()});
    names.put(id, shortName(event.stageInfo().name()));
    print(true);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    int[] counts = tasks.get(event.stageId());
    if (counts != null) {
      synchronized (counts) {
        counts[0]++;
      }
      print(false);
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    int id = event.stageInfo().stageId();
    int[] counts = tasks.remove(id);
    String name = names.remove(id);
    if (counts != null) {
      clearLine();
      out.printf("stage %d (%s): %d tasks done%n", id, name, counts[1]);
    }
  }

  private synchronized void print(boolean force) {
    long now = System.currentTimeMillis();
    if (!force && now - lastPrint < MIN_INTERVAL_MS) {
      return;
    }
    lastPrint = now;
    StringBuilder line = new StringBuilder();
    tasks.forEach((id, c) -> line.append(String.format("[stage %d %s: %d/%d] ", id, names.get(id), c[0], c[1])));
    clearLine();
    out.print(line);
    out.flush();
    printedWidth.set(line.length());
  }

  private void clearLine() {
    int width = printedWidth.getAndSet(0);
    if (width > 0) {
      out.print("\r" + " ".repeat(width) + "\r");
    }
  }

  private static String shortName(String name) {
    int at = name.indexOf(" at ");
    return at > 0 ? name.substring(0, at) : name;
  }
}
