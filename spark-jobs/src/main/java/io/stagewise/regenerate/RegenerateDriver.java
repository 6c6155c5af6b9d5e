package io.stagewise.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.sweep.plan.InputContent;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.run.DataStages;
import io.stagewise.sweep.run.StageExecutor;
import io.stagewise.sweep.run.StageStore;
import io.stagewise.sweep.run.SweepProgress;
import io.stagewise.sweep.run.SweepScheduler;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code stagewise data regenerate}: plans a family's steps with the sweep's content keys ({@link FamilySteps}),
 * runs the ones not already built in its work directory with the sweep's scheduler and data stages, and
 * publishes the members as one new version of the set unless the current version already holds exactly them.
 * Prints each step as {@code rebuilt <step>: <why>} or {@code reused <step> (key …)}, the publication last.
 */
public final class RegenerateDriver {
  /** Data stages run at once; a family's steps are few and its two builds independent. */
  private static final int DATA_SLOTS = 2;

  private RegenerateDriver() {}

  /**
   * What a run did.
   *
   * @param lines the {@code rebuilt}/{@code reused} line of every step, then the publication's
   * @param rebuilt labels of the steps built now
   * @param published the version published now, or empty when the current one was kept
   * @param current the version readers get after the run
   */
  public record Summary(List<String> lines, List<String> rebuilt, Optional<String> published, String current) {}

  public static Summary run(SparkSession spark, FamilySpec spec, PrintStream log) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    FamilySteps plan = FamilySteps.plan(spec, InputContent.of(conf));
    StageStore store = new StageStore(spec.work(), conf);
    Optional<JsonNode> published = FamilyPublication.current(conf, spec, plan);
    StepReasons reasons = new StepReasons(store, published);
    List<String> lines = new ArrayList<>();
    List<String> rebuilt = new ArrayList<>();
    for (StageNode step : plan.steps()) {
      if (store.isComplete(step)) {
        lines.add("reused " + step.label() + " (key " + step.key() + ")");
      } else {
        lines.add("rebuilt " + step.label() + ": " + reasons.why(step));
        rebuilt.add(step.label());
      }
    }
    log.printf("[regenerate] %s: %d steps, %d to build, under %s%n", spec.name(), plan.steps().size(),
        rebuilt.size(), store.root());
    StageExecutor noTraining = (node, s) -> {
      throw new IllegalStateException(node.kind() + " is not a step of a dataset family");
    };
    new SweepScheduler(store, new DataStages(spark), noTraining, DATA_SLOTS, 1)
        .run(plan.steps(), new SweepProgress(log, "regenerate", plan.steps().size(), DATA_SLOTS, 1));

    FamilyPublication publication = new FamilyPublication(spec, plan, store);
    Optional<String> version = Optional.empty();
    if (published.isPresent() && publication.key().equals(published.get().path(FamilyPublication.KEY).asText())) {
      lines.add("reused publish (key " + publication.key() + ")");
    } else {
      version = Optional.of(publication.publish(spark));
      lines.add("rebuilt publish: " + (published.isEmpty() ? "no version of the family is published yet"
          : "members " + String.join(", ", publication.changedMembers(published)) + " changed")
          + "; version " + version.get());
    }
    String current = version.orElseGet(() -> FamilyPublication.currentVersion(conf, spec, plan));
    return new Summary(lines, rebuilt, version, current);
  }
}
