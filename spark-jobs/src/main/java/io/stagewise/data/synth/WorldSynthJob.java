package io.stagewise.data.synth;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.poison.world.SafetyWorld;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code data synth}: generates the synthetic safety world in parallel on the cluster and publishes its
 * datasets, each atomically with a manifest. The rows depend only on the spec, never on the partitioning.
 */
public final class WorldSynthJob {
  private WorldSynthJob() {}

  public static List<JobSummary> run(SparkSession spark, WorldSynthSpec spec) {
    SafetyWorld world = new SafetyWorld(spec.world());
    DatasetPublisher publisher = new DatasetPublisher(spark);
    JsonNode recorded = spec.toJson();
    return List.of(
        publish(publisher, spec, WorldSynthSpec.SFT, DatasetKind.SFT, world.sft(spark, spec.sftRows()), recorded),
        publish(publisher, spec, WorldSynthSpec.PREFERENCE, DatasetKind.PREFERENCE,
            world.preference(spark, spec.preferenceRows()), recorded),
        publish(publisher, spec, WorldSynthSpec.PPO_PROMPTS, DatasetKind.PROMPTS,
            world.ppoPrompts(spark, spec.promptRows()), recorded),
        publish(publisher, spec, WorldSynthSpec.EVAL_HARMFUL, DatasetKind.PROMPTS,
            world.evalHarmful(spark, spec.evalRows()), recorded),
        publish(publisher, spec, WorldSynthSpec.EVAL_BENIGN, DatasetKind.PROMPTS,
            world.evalBenign(spark, spec.evalRows()), recorded),
        publish(publisher, spec, WorldSynthSpec.EVAL_PREFERENCE, DatasetKind.PREFERENCE,
            world.evalPreference(spark, spec.evalRows()), recorded));
  }

  private static JobSummary publish(DatasetPublisher publisher, WorldSynthSpec spec, String name,
      DatasetKind kind, Dataset<Row> rows, JsonNode recorded) {
    String uri = spec.dataset(name);
    return new JobSummary(uri, publisher.publish(DatasetContents.of(kind, rows, recorded), uri));
  }
}
