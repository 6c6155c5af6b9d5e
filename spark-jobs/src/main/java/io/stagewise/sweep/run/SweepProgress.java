package io.stagewise.sweep.run;

import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The sweep's progress, one line per stage start or finish: stages done of total, what is running, and an
 * ETA from the mean duration of each stage kind so far (a kind not yet seen counts as the mean of all), with
 * data and training stages in their own parallel slots.
 */
public final class SweepProgress {
  private final PrintStream out;
  private final String tag;
  private final int total;
  private final int dataSlots;
  private final int trainingSlots;
  private final Map<StageKind, double[]> seconds = new EnumMap<>(StageKind.class); // kind -> {sum, count}
  private final Set<String> running = new LinkedHashSet<>();
  private final long started = System.nanoTime();
  private int done;

  public SweepProgress(PrintStream out, int total, int dataSlots, int trainingSlots) {
    this(out, "sweep", total, dataSlots, trainingSlots);
  }

  /** Progress whose lines start with {@code [tag]} (the command running the stages). */
  public SweepProgress(PrintStream out, String tag, int total, int dataSlots, int trainingSlots) {
    this.out = out;
    this.tag = "[" + tag + "]";
    this.total = total;
    this.dataSlots = dataSlots;
    this.trainingSlots = trainingSlots;
  }

  public synchronized void skipped(int count) {
    done += count;
    if (count > 0) {
      out.printf("%s %d of %d stages already finished; skipping them%n", tag, count, total);
    }
  }

  public synchronized void started(StageNode node) {
    running.add(node.label());
    out.printf("%s %d/%d done | start %s %s | running %d%n", tag, done, total, node.kind().dirName(), node.label(),
        running.size());
  }

  public synchronized void finished(StageNode node, double secs, Collection<StageNode> remaining) {
    running.remove(node.label());
    done++;
    seconds.computeIfAbsent(node.kind(), k -> new double[2])[0] += secs;
    seconds.get(node.kind())[1]++;
    out.printf("%s %d/%d done | finished %s %s in %.1fs | running %d | elapsed %s | ETA %s%n", tag, done, total,
        node.kind().dirName(), node.label(), secs, running.size(), format(elapsed()), format(eta(remaining)));
  }

  public synchronized void failed(StageNode node, Throwable error) {
    running.remove(node.label());
    out.printf("%s FAILED %s %s: %s%n", tag, node.kind().dirName(), node.label(), error);
  }

  /** Remaining stage time split over the slots of each pool. */
  Duration eta(Collection<StageNode> remaining) {
    double all = seconds.values().stream().mapToDouble(s -> s[0]).sum();
    double count = seconds.values().stream().mapToDouble(s -> s[1]).sum();
    double fallback = count == 0 ? 0 : all / count;
    double data = 0;
    double training = 0;
    for (StageNode node : remaining) {
      double[] s = seconds.get(node.kind());
      double mean = s == null ? fallback : s[0] / s[1];
      if (node.kind().isTraining()) {
        training += mean;
      } else {
        data += mean;
      }
    }
    return Duration.ofMillis(Math.round(1000 * (data / dataSlots + training / trainingSlots)));
  }

  public Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** {@code 3m07s}, or {@code 1h02m} beyond an hour. */
  public static String format(Duration d) {
    long s = d.toSeconds();
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
  }
}
