package io.stagewise.data.build;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.poison.attack.AttackPlanSummary;
import io.stagewise.poison.attack.AttackSpec;
import io.stagewise.poison.attack.PoisonPlan;
import io.stagewise.poison.attack.PoisonedRows;
import io.stagewise.poison.attack.Stage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code data build}: reads each stage's published clean dataset, applies that stage's attackers
 * ({@link PoisonPlan}) and publishes the poisoned dataset with a manifest that records the spec, the input's
 * fingerprint and the poisoned counts.
 */
public final class PoisonBuildJob {
  private PoisonBuildJob() {}

  /**
   * Builds every stage the spec names; {@code specJson} is recorded verbatim in each manifest. Every input is
   * opened (and its kind checked) before the first stage runs, so a bad preference input does not surface
   * only after the SFT stage has been built and published.
   */
  public static List<JobSummary> run(SparkSession spark, PoisonBuildSpec spec, ObjectNode specJson) {
    spec.inputs().requireExist(spark.sparkContext().hadoopConfiguration(), "dataset build spec");
    Map<Stage, PublishedDataset> inputs = new EnumMap<>(Stage.class);
    spec.stages().forEach((stage, io) -> inputs.put(stage, input(spark, stage, io)));
    List<JobSummary> out = new ArrayList<>();
    DatasetPublisher publisher = new DatasetPublisher(spark);
    for (Map.Entry<Stage, PoisonBuildSpec.StageIo> stage : spec.stages().entrySet()) {
      out.add(buildStage(publisher, stage.getKey(), inputs.get(stage.getKey()), stage.getValue().output(),
          spec.attackers(stage.getKey()), specJson));
    }
    return out;
  }

  private static PublishedDataset input(SparkSession spark, Stage stage, PoisonBuildSpec.StageIo io) {
    DatasetKind kind = kind(stage);
    PublishedDataset input = PublishedDataset.open(spark, io.input());
    if (input.manifest().kind() != kind) {
      throw new IllegalArgumentException(stage.specName() + ".input: " + io.input() + " holds a "
          + input.manifest().kind().wireName() + " dataset, not " + kind.wireName());
    }
    return input;
  }

  private static JobSummary buildStage(DatasetPublisher publisher, Stage stage, PublishedDataset input,
      String output, List<AttackSpec> attackers, ObjectNode specJson) {
    PoisonedRows poisoned;
    try {
      poisoned = PoisonPlan.apply(input.rows(), attackers);
    } catch (IllegalArgumentException e) {
      // Name the input: "rows: ..." and "attacker 'x': ..." say what is wrong, not with which dataset.
      throw new IllegalArgumentException(stage.specName() + ".input " + input.uri() + ": " + e.getMessage(), e);
    }
    try (poisoned) {
      ObjectNode recorded = specJson.deepCopy();
      recorded.put("stage", stage.specName());
      recorded.put("input_fingerprint", input.manifest().fingerprint());
      ArrayNode plan = recorded.putArray("plan");
      for (AttackPlanSummary summary : poisoned.summaries()) {
        plan.addObject().put("attacker", summary.attacker()).put("kind", summary.kind().specName())
            .put("eligible", summary.eligible()).put("poisoned", summary.poisoned());
      }
      Manifest manifest = publisher.publish(DatasetContents.of(kind(stage), poisoned.rows(), recorded), output);
      return new JobSummary(output, manifest);
    }
  }

  private static DatasetKind kind(Stage stage) {
    return stage == Stage.SFT ? DatasetKind.SFT : DatasetKind.PREFERENCE;
  }
}
