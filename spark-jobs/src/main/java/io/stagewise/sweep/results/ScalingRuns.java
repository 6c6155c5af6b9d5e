package io.stagewise.sweep.results;

import io.stagewise.ceg.LossCurve;
import io.stagewise.ceg.ScalingRun;
import io.stagewise.sweep.plan.ScalingPlan;
import io.stagewise.sweep.run.StageStore;
import io.stagewise.trainer.metrics.MetricsLog;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Gathers a finished scaling sweep's runs: each run's eval curve, read from the metrics its stage recorded. */
public final class ScalingRuns {
  private ScalingRuns() {}

  public static List<ScalingRun> collect(ScalingPlan plan, StageStore store, Configuration conf) {
    List<ScalingRun> out = new ArrayList<>();
    for (ScalingPlan.Run run : plan.runs()) {
      Path metrics = new Path(URI.create(store.outcome(run.training()).get("metrics").asText()));
      LossCurve curve = LossCurve.fromRecords(MetricsLog.read(metrics, conf), metrics.toString());
      out.add(new ScalingRun(run.size(), run.innovation(), run.seed(), curve));
    }
    return out;
  }
}
