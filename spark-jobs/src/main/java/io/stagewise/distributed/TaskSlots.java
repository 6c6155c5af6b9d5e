package io.stagewise.distributed;

import org.apache.spark.SparkContext;

/**
 * Checks, before a barrier stage is submitted, that the cluster can run all W of its tasks at once. Spark would
 * otherwise keep re-checking for minutes ({@code spark.scheduler.barrier.maxConcurrentTasksCheck.*}) before
 * failing the job with a generic message, or reject it outright under dynamic allocation.
 */
final class TaskSlots {

  private TaskSlots() {
  }

  /** Throws an {@link IllegalArgumentException} saying what to change when W tasks cannot run together. */
  static void requireBarrierSlots(SparkContext sc, int workers) {
    if (sc.conf().getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new IllegalArgumentException("--workers " + workers + " runs one barrier stage, which Spark does"
          + " not allow with dynamic allocation: set spark.dynamicAllocation.enabled=false and a fixed"
          + " spark.executor.instances");
    }
    int slots = registeredSlots(sc, workers);
    if (slots < workers) {
      throw new IllegalArgumentException("--workers " + workers + " needs " + workers + " task slots at once,"
          + " but the cluster offers " + slots + " (" + describe(sc) + "); add executors, cores or GPUs,"
          + " or lower --workers");
    }
  }

  /**
   * The task slots once the cluster's executors have registered, which they do some seconds after the
   * application starts: like Spark's scheduler, this waits up to
   * {@code spark.scheduler.maxRegisteredResourcesWaitingTime} (30 s) for {@code workers} slots. A local master
   * has all its slots at once.
   */
  static int registeredSlots(SparkContext sc, int workers) {
    long waitMillis = sc.isLocal() ? 0
        : sc.conf().getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s");
    long deadline = System.currentTimeMillis() + waitMillis;
    int slots = concurrentTasks(sc);
    while (slots < workers && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      slots = concurrentTasks(sc);
    }
    return slots;
  }

  /**
   * Tasks of the default resource profile the cluster can run at once: the count Spark's own barrier check
   * uses, from the live executors' cores and custom resources (GPUs) over each task's needs. It is a
   * {@code private[spark]} member of the Scala API, public in bytecode; Spark is pinned to 3.5.
   */
  static int concurrentTasks(SparkContext sc) {
    return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
  }

  private static String describe(SparkContext sc) {
    String gpus = sc.conf().get("spark.task.resource.gpu.amount", "0");
    return "master " + sc.master() + ", spark.task.cpus=" + sc.conf().get("spark.task.cpus", "1")
        + ", spark.task.resource.gpu.amount=" + gpus;
  }
}
