package io.stagewise.sweep;

import io.stagewise.ceg.ScalingAnalysis;
import io.stagewise.ceg.ScalingResults;
import io.stagewise.ceg.ScalingRun;
import io.stagewise.sweep.plan.InputContent;
import io.stagewise.sweep.plan.ScalingPlan;
import io.stagewise.sweep.plan.ScalingPlanner;
import io.stagewise.sweep.report.ScalingReport;
import io.stagewise.sweep.results.CegResultsTable;
import io.stagewise.sweep.results.LossCurvesTable;
import io.stagewise.sweep.results.ScalingRuns;
import io.stagewise.sweep.run.DataStages;
import io.stagewise.sweep.run.StageStore;
import io.stagewise.sweep.run.SweepProgress;
import io.stagewise.sweep.run.SweepScheduler;
import io.stagewise.sweep.run.TrainingLauncher;
import io.stagewise.sweep.run.TrainingStages;
import io.stagewise.sweep.spec.ScalingSpec;
import java.io.PrintStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code stagewise sweep} for {@code pipeline: scaling}: plans the corpus and pretraining stages, runs the
 * unfinished ones through the same scheduler and launchers as every sweep, analyses the curves
 * ({@link ScalingAnalysis}) and writes {@value SweepDriver#RESULTS} (CEG per size × innovation),
 * {@value #CURVES} (every evaluation of every run) and {@value SweepDriver#REPORT}/ under the output directory.
 */
public final class ScalingSweepDriver {
  public static final String CURVES = "curves.parquet";

  private ScalingSweepDriver() {}

  /**
   * What a scaling sweep did and produced.
   *
   * @param stages stages of the plan
   * @param executed stages run now
   * @param skipped stages found finished
   * @param results the CEG results table URI
   * @param curves the curves table URI
   * @param report the report's index.html URI
   * @param analysis the gains, intervals and classes
   */
  public record Summary(int stages, int executed, int skipped, String results, String curves, String report,
      ScalingResults analysis) {}

  public static Summary run(SparkSession spark, ScalingSpec spec, String out, TrainingLauncher launcher,
      PrintStream log) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ScalingPlan plan = ScalingPlanner.plan(spec, InputContent.of(conf));
    StageStore store = new StageStore(out, conf);
    // Scaling stages never evaluate generations, so no judge is configured.
    SweepScheduler scheduler = new SweepScheduler(store, new DataStages(spark),
        new TrainingStages(spark, launcher, spec.execution().intraOpThreads(), "none"),
        spec.execution().dataSlots(), spec.execution().trainingSlots());
    log.printf("[sweep] %s: %d runs (%d sizes x %d innovation sets x %d seeds), %d distinct stages under %s%n",
        spec.name(), plan.runs().size(), spec.presets().size(), spec.innovations().size(), spec.seeds().size(),
        plan.stages().size(), store.root());
    SweepProgress progress = new SweepProgress(log, plan.stages().size(), spec.execution().dataSlots(),
        spec.execution().trainingSlots());
    SweepScheduler.Outcome outcome = scheduler.run(plan.stages(), progress);
    List<ScalingRun> runs = ScalingRuns.collect(plan, store, conf);
    ScalingResults analysis = ScalingAnalysis.analyse(runs, spec.baseline(), spec.presets(), spec.ceg());
    String results = new Path(store.root(), SweepDriver.RESULTS).toString();
    String curves = new Path(store.root(), CURVES).toString();
    CegResultsTable.write(spark, spec.name(), analysis, results);
    LossCurvesTable.write(spark, spec.name(), plan, runs, curves);
    String report = ScalingReport.write(spec.name(), spec.seeds().size(), analysis,
        new Path(store.root(), SweepDriver.REPORT).toString(), conf);
    log.printf("[sweep] done in %s: %d stages run, %d reused; results %s; report %s%n",
        SweepProgress.format(progress.elapsed()), outcome.executed(), outcome.skipped(), results, report);
    return new Summary(plan.stages().size(), outcome.executed(), outcome.skipped(), results, curves, report,
        analysis);
  }
}
