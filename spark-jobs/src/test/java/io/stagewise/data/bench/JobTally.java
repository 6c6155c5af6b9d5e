package io.stagewise.data.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * Executor CPU, bytes read and shuffle bytes per Spark job, from task metrics. CPU seconds move less with the
 * machine's load than wall seconds, and the bytes each job reads (files and cached blocks alike) show which
 * jobs scan the input. Benchmark code.
 */
final class JobTally extends SparkListener {
  /** One job's sums; {@code name} is its last stage's call site (the action). */
  record Job(int id, String name, long cpuNanos, long bytesRead, long shuffleWriteBytes) {
    double cpuSeconds() {
      return cpuNanos / 1e9;
    }

    String line() {
      return String.format(Locale.ROOT, "job %3d  cpu %7.2f s  read %9.1f MB  shuffle %8.1f MB  %s", id,
          cpuSeconds(), bytesRead / 1e6, shuffleWriteBytes / 1e6, name);
    }
  }

  private final Map<Integer, Integer> jobOfStage = new HashMap<>();
  private final Map<Integer, Job> jobs = new LinkedHashMap<>();

  private JobTally() {}

  static JobTally attach(SparkSession spark) {
    JobTally tally = new JobTally();
    spark.sparkContext().addSparkListener(tally);
    return tally;
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart event) {
    List<StageInfo> stages = JavaConverters.seqAsJavaList(event.stageInfos());
    String name = stages.isEmpty() ? "?" : stages.get(stages.size() - 1).name();
    for (StageInfo stage : stages) {
      jobOfStage.putIfAbsent(stage.stageId(), event.jobId());
    }
    jobs.put(event.jobId(), new Job(event.jobId(), name, 0, 0, 0));
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
    TaskMetrics m = event.taskMetrics();
    Integer jobId = jobOfStage.get(event.stageId());
    if (m == null || jobId == null) {
      return;
    }
    Job j = jobs.get(jobId);
    jobs.put(jobId, new Job(j.id(), j.name(), j.cpuNanos() + m.executorCpuTime(),
        j.bytesRead() + m.inputMetrics().bytesRead(),
        j.shuffleWriteBytes() + m.shuffleWriteMetrics().bytesWritten()));
  }

  /**
   * The jobs that started since the last call, once every event of theirs has been delivered (the listener
   * bus is asynchronous).
   */
  List<Job> drain(SparkSession spark) throws TimeoutException {
    spark.sparkContext().listenerBus().waitUntilEmpty();
    synchronized (this) {
      List<Job> done = new ArrayList<>(jobs.values());
      jobs.clear();
      return done;
    }
  }
}
