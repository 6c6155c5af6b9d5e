package io.stagewise.data.synth;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.poison.world.SafetyWorld;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code data synth}: generates the synthetic safety world in parallel on the cluster and publishes its
 * datasets as one set under the spec's output root (one pointer for all of them, so a crash between two
 * datasets never leaves a world whose members come from different runs), each with its manifest. The rows
 * depend only on the spec, never on the partitioning.
 */
public final class WorldSynthJob {
  private WorldSynthJob() {}

  public static List<JobSummary> run(SparkSession spark, WorldSynthSpec spec) {
    SafetyWorld world = new SafetyWorld(spec.world());
    JsonNode recorded = spec.toJson();
    Map<String, DatasetContents> members = new LinkedHashMap<>();
    members.put(WorldSynthSpec.SFT, DatasetContents.of(DatasetKind.SFT, world.sft(spark, spec.sftRows()), recorded));
    members.put(WorldSynthSpec.PREFERENCE, DatasetContents.of(DatasetKind.PREFERENCE,
        world.preference(spark, spec.preferenceRows()), recorded));
    members.put(WorldSynthSpec.PPO_PROMPTS, DatasetContents.of(DatasetKind.PROMPTS,
        world.ppoPrompts(spark, spec.promptRows()), recorded));
    members.put(WorldSynthSpec.EVAL_HARMFUL, DatasetContents.of(DatasetKind.PROMPTS,
        world.evalHarmful(spark, spec.evalRows()), recorded));
    members.put(WorldSynthSpec.EVAL_BENIGN, DatasetContents.of(DatasetKind.PROMPTS,
        world.evalBenign(spark, spec.evalRows()), recorded));
    members.put(WorldSynthSpec.EVAL_PREFERENCE, DatasetContents.of(DatasetKind.PREFERENCE,
        world.evalPreference(spark, spec.evalRows()), recorded));
    Map<String, Manifest> published = new DatasetPublisher(spark).publishSet(spec.output(), members);
    List<JobSummary> out = new ArrayList<>();
    published.forEach((name, manifest) -> out.add(new JobSummary(spec.dataset(name), manifest)));
    return out;
  }
}
