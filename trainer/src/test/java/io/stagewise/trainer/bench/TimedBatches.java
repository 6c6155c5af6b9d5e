package io.stagewise.trainer.bench;

import io.stagewise.trainer.data.BatchStream;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.data.TokenBatch;
import java.io.PrintStream;

/**
 * A {@link BatchStream} that stamps the wall clock when the training loop asks for batch number
 * {@code startBatch} and again for batch {@code stopBatch} (1-based): the steps in between, whole, with
 * everything the loop does around them (packing, accounting, logging), are what the benchmark times.
 */
final class TimedBatches implements BatchStream {

  private final BatchStream source;
  private final long startBatch;
  private final long stopBatch;
  private long served;
  private long startNanos;
  private long stopNanos;
  private ProcessCounters startCounters;
  private ProcessCounters stopCounters;
  private Runnable onStart = () -> { };
  private Runnable onStop = () -> { };

  TimedBatches(BatchStream source, long startBatch, long stopBatch) {
    if (startBatch < 1 || stopBatch <= startBatch) {
      throw new IllegalArgumentException("need 1 <= startBatch < stopBatch, got " + startBatch + ", "
          + stopBatch);
    }
    this.source = source;
    this.startBatch = startBatch;
    this.stopBatch = stopBatch;
  }

  /** Runs {@code action} just before the clock starts. */
  void onStart(Runnable action) {
    onStart = action;
  }

  /** Runs {@code action} just after the clock stops. */
  void onStop(Runnable action) {
    onStop = action;
  }

  @Override
  public DataPosition position() {
    return source.position();
  }

  @Override
  public boolean hasNext() {
    return source.hasNext();
  }

  @Override
  public TokenBatch next() {
    served++;
    if (served == startBatch) {
      onStart.run();
      startCounters = ProcessCounters.now();
      startNanos = System.nanoTime();
    } else if (served == stopBatch) {
      stopNanos = System.nanoTime();
      stopCounters = ProcessCounters.now();
      onStop.run();
    }
    return source.next();
  }

  /** Prints the process CPU time and page faults per step between the two stamps, keys starting {@code prefix}. */
  void printCounters(PrintStream out, String prefix) {
    seconds();
    stopCounters.printPerStep(out, prefix, startCounters, stopBatch - startBatch);
  }

  /** Process CPU seconds per step between the two stamps (NaN where the JVM does not report CPU time). */
  double cpuSecondsPerStep() {
    seconds();
    return stopCounters.cpuNanos() < 0 ? Double.NaN
        : (stopCounters.cpuNanos() - startCounters.cpuNanos()) / 1e9 / (stopBatch - startBatch);
  }

  /** Seconds between the two stamps; fails if the loop did not get that far. */
  double seconds() {
    if (stopNanos == 0) {
      throw new IllegalStateException("the loop asked for " + served + " batches, fewer than " + stopBatch);
    }
    return (stopNanos - startNanos) / 1e9;
  }
}
