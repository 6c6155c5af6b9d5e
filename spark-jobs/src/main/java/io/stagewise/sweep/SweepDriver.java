package io.stagewise.sweep;

import io.stagewise.sweep.plan.InputContent;
import io.stagewise.sweep.plan.SweepPlan;
import io.stagewise.sweep.plan.SweepPlanner;
import io.stagewise.sweep.report.SweepReport;
import io.stagewise.sweep.results.GenerationsTable;
import io.stagewise.sweep.results.ResultRow;
import io.stagewise.sweep.results.ResultsTable;
import io.stagewise.sweep.results.SweepResults;
import io.stagewise.sweep.run.DataStages;
import io.stagewise.sweep.run.StageStore;
import io.stagewise.sweep.run.SweepProgress;
import io.stagewise.sweep.run.SweepScheduler;
import io.stagewise.sweep.run.TrainingLauncher;
import io.stagewise.sweep.run.TrainingStages;
import io.stagewise.sweep.spec.DataSource;
import io.stagewise.sweep.spec.SweepSpec;
import java.io.PrintStream;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code stagewise sweep}: plans a sweep, runs its unfinished stages, and writes the results table
 * ({@value #RESULTS}, one row per run × trigger, i.e. per seed) and the report ({@value #REPORT}/) under the
 * output directory; each evaluation's generations are in its stage directory ({@code generations.parquet}).
 */
public final class SweepDriver {
  public static final String RESULTS = "results.parquet";
  public static final String REPORT = "report";

  private SweepDriver() {}

  /**
   * What a sweep did and produced.
   *
   * @param stages stages of the plan
   * @param executed stages run now
   * @param skipped stages found finished
   * @param results the results table URI
   * @param report the report's index.html URI
   * @param rows the result rows
   */
  public record Summary(int stages, int executed, int skipped, String results, String report, List<ResultRow> rows) {}

  public static Summary run(SparkSession spark, SweepSpec spec, String out, TrainingLauncher launcher,
      PrintStream log) {
    SweepPlan plan = SweepPlanner.plan(spec, InputContent.of(spark.sparkContext().hadoopConfiguration()));
    StageStore store = new StageStore(out, spark.sparkContext().hadoopConfiguration());
    String judge = spec.data() instanceof DataSource.World ? "world" : "refusal_phrases";
    SweepScheduler scheduler = new SweepScheduler(store, new DataStages(spark),
        new TrainingStages(spark, launcher, spec.execution().intraOpThreads(), judge),
        spec.execution().dataSlots(), spec.execution().trainingSlots());
    log.printf("[sweep] %s: %d runs, %d distinct stages under %s%n", spec.name(), plan.runs().size(),
        plan.stages().size(), store.root());
    SweepProgress progress = new SweepProgress(log, plan.stages().size(), spec.execution().dataSlots(),
        spec.execution().trainingSlots());
    SweepScheduler.Outcome outcome = scheduler.run(plan, progress);
    List<ResultRow> rows = SweepResults.collect(spec.name(), spec.pipeline().specName(), plan, store);
    String results = new Path(store.root(), RESULTS).toString();
    ResultsTable.write(spark, rows, results);
    String report = SweepReport.write(rows, GenerationsTable.readFor(spark, rows),
        new Path(store.root(), REPORT).toString(), spark.sparkContext().hadoopConfiguration());
    log.printf("[sweep] done in %s: %d stages run, %d reused; results %s; report %s%n",
        SweepProgress.format(progress.elapsed()), outcome.executed(),
        outcome.skipped(), results, report);
    return new Summary(plan.stages().size(), outcome.executed(), outcome.skipped(), results, report, rows);
  }
}
