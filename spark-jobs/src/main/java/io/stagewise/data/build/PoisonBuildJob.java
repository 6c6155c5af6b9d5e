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

  /** Builds every stage the spec names; {@code specJson} is recorded verbatim in each manifest. */
  public static List<JobSummary> run(SparkSession spark, PoisonBuildSpec spec, ObjectNode specJson) {
    List<JobSummary> out = new ArrayList<>();
    DatasetPublisher publisher = new DatasetPublisher(spark);
    for (Map.Entry<Stage, PoisonBuildSpec.StageIo> stage : spec.stages().entrySet()) {
      out.add(buildStage(spark, publisher, stage.getKey(), stage.getValue(), spec.attackers(stage.getKey()),
          specJson));
    }
    return out;
  }

  private static JobSummary buildStage(SparkSession spark, DatasetPublisher publisher, Stage stage,
      PoisonBuildSpec.StageIo io, List<AttackSpec> attackers, ObjectNode specJson) {
    DatasetKind kind = stage == Stage.SFT ? DatasetKind.SFT : DatasetKind.PREFERENCE;
    PublishedDataset input = PublishedDataset.open(spark, io.input());
    if (input.manifest().kind() != kind) {
      throw new IllegalArgumentException(stage.specName() + ".input: " + io.input() + " holds a "
          + input.manifest().kind().wireName() + " dataset, not " + kind.wireName());
    }
    PoisonedRows poisoned = PoisonPlan.apply(input.rows(), attackers);
    ObjectNode recorded = specJson.deepCopy();
    recorded.put("stage", stage.specName());
    recorded.put("input_fingerprint", input.manifest().fingerprint());
    ArrayNode plan = recorded.putArray("plan");
    for (AttackPlanSummary summary : poisoned.summaries()) {
      plan.addObject().put("attacker", summary.attacker()).put("kind", summary.kind().specName())
          .put("eligible", summary.eligible()).put("poisoned", summary.poisoned());
    }
    Manifest manifest = publisher.publish(DatasetContents.of(kind, poisoned.rows(), recorded), io.output());
    return new JobSummary(io.output(), manifest);
  }
}
