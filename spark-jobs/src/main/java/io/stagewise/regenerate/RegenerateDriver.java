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
import java.time.Instant;
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
 * After a publication, the step directories of its own work directory that no version present was made from
 * and no running regenerate has leased are deleted ({@link StepRetention}); a work directory the spec names
 * ({@code work:}) may be shared with other families or sweeps and is never pruned.
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
   * @param pruned the step directories deleted after the publication, as {@code kind/key}
   */
  public record Summary(List<String> lines, List<String> rebuilt, Optional<String> published, String current,
      List<String> pruned) {}

  public static Summary run(SparkSession spark, FamilySpec spec, PrintStream log) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    FamilySteps plan = FamilySteps.plan(spec, InputContent.of(conf));
    StageStore store = new StageStore(spec.work(), conf);
    StepLeases leases = new StepLeases(store.root(), conf);
    // Leased before any step is checked, so a prune by another run cannot take a step from under this one.
    try (StepLeases.Lease lease = leases.hold(plan.steps(), Instant.now())) {
      Optional<JsonNode> published = FamilyPublication.current(conf, spec, plan);
      List<String> lines = new ArrayList<>();
      List<String> rebuilt = new ArrayList<>();
      StepReasons reasons = new StepReasons(store, published);
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
      build(spark, plan, store, log);
      Optional<String> version = publish(spark, spec, plan, store, published, lines);
      List<String> pruned = version.isPresent() && spec.ownsWork() ? prune(conf, spec, store, leases) : List.of();
      if (!pruned.isEmpty()) {
        log.printf("[regenerate] pruned %d step directories no version of the family was made from: %s%n",
            pruned.size(), String.join(", ", pruned));
      }
      String current = version.orElseGet(() -> FamilyPublication.currentVersion(conf, spec, plan));
      return new Summary(lines, rebuilt, version, current, pruned);
    }
  }

  private static void build(SparkSession spark, FamilySteps plan, StageStore store, PrintStream log) {
    StageExecutor noTraining = (node, s) -> {
      throw new IllegalStateException(node.kind() + " is not a step of a dataset family");
    };
    new SweepScheduler(store, new DataStages(spark), noTraining, DATA_SLOTS, 1)
        .run(plan.steps(), new SweepProgress(log, "regenerate", plan.steps().size(), DATA_SLOTS, 1));
  }

  /** Publishes the members unless the current version holds exactly them; the version published, if any. */
  private static Optional<String> publish(SparkSession spark, FamilySpec spec, FamilySteps plan, StageStore store,
      Optional<JsonNode> published, List<String> lines) {
    FamilyPublication publication = new FamilyPublication(spec, plan, store);
    if (published.isPresent() && publication.key().equals(published.get().path(FamilyPublication.KEY).asText())) {
      lines.add("reused publish (key " + publication.key() + ")");
      return Optional.empty();
    }
    String why = published.isEmpty() ? "no version of the family is published yet"
        : changed(publication.changedMembers(spark.sparkContext().hadoopConfiguration(), published));
    String version = publication.publish(spark);
    lines.add("rebuilt publish: " + why + "; version " + version);
    return Optional.of(version);
  }

  /** Deletes the family's step directories that no version present was made from and no running regenerate holds. */
  private static List<String> prune(Configuration conf, FamilySpec spec, StageStore store, StepLeases leases) {
    return leases.held(Instant.now()).map(held -> new StepRetention(conf).prune(spec.output(), store.root(), held))
        .orElse(List.of());
  }

  private static String changed(List<String> members) {
    return members.isEmpty() ? "steps were rebuilt, with the same rows in every member"
        : "members " + String.join(", ", members) + " changed";
  }
}
