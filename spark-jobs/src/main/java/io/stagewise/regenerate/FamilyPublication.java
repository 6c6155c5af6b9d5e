package io.stagewise.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.ContentDigest;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.PublishHook;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.io.VersionRetention;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.data.manifest.ManifestReader;
import io.stagewise.sweep.run.StageStore;
import io.stagewise.trainer.data.version.DatasetResolver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * A family's members published as one set ({@link DatasetPublisher#publishSet}: one version, one pointer
 * written last), each member copied from its step's dataset. Every member's manifest records what the
 * version was made from ({@value #JOB}: the steps by label and key, the members' sources, the publication's
 * key), which is how the next run tells what changed and whether the current version already holds this
 * plan's data, in which case nothing is published.
 */
final class FamilyPublication {
  static final String JOB = "regenerate";
  static final String STEPS = "steps";
  static final String MEMBERS = "members";
  static final String KEY = "publication";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FamilySpec spec;
  private final FamilySteps plan;
  private final StageStore store;
  private final ObjectNode record;

  FamilyPublication(FamilySpec spec, FamilySteps plan, StageStore store) {
    this.spec = spec;
    this.plan = plan;
    this.store = store;
    this.record = record(spec, plan);
  }

  private static ObjectNode record(FamilySpec spec, FamilySteps plan) {
    ObjectNode out = JSON.createObjectNode().put("job", JOB).put("family", spec.name());
    ObjectNode steps = out.putObject(STEPS);
    plan.steps().forEach(s -> steps.put(s.label(), s.kind().dirName() + "/" + s.key()));
    ObjectNode members = out.putObject(MEMBERS);
    plan.members().forEach((name, m) -> members.put(name, m.step().kind().dirName() + "/" + m.step().key()
        + "/" + m.dataset()));
    return out.put(KEY, ContentDigest.shortHex(members.toString()));
  }

  /** This plan's publication key: a hash of which step dataset each member is copied from. */
  String key() {
    return record.get(KEY).asText();
  }

  /** The record of the family's current version, empty when none is published (or not by regenerate). */
  static Optional<JsonNode> current(Configuration conf, FamilySpec spec, FamilySteps plan) {
    String first = plan.members().keySet().iterator().next();
    try {
      JsonNode recorded = ManifestReader.read(conf, member(spec, first)).spec();
      return recorded != null && JOB.equals(recorded.path("job").asText()) ? Optional.of(recorded)
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // nothing published there yet
    }
  }

  /**
   * The members whose rows differ from the published version's (all of them when none is published). A member
   * copied from another step than before is compared by content: a rebuilt step may make the same rows.
   */
  List<String> changedMembers(Configuration conf, Optional<JsonNode> published) {
    List<String> out = new ArrayList<>();
    plan.members().forEach((name, m) -> {
      if (published.isEmpty()) {
        out.add(name);
      } else if (!record.get(MEMBERS).get(name).equals(published.get().path(MEMBERS).path(name))
          && !ManifestReader.read(conf, store.dataset(m.step(), m.dataset())).fingerprint()
              .equals(ManifestReader.read(conf, member(spec, name)).fingerprint())) {
        out.add(name);
      }
    });
    return out;
  }

  /** Publishes every member as one new version; returns the version's name. */
  String publish(SparkSession spark) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Map<String, DatasetContents> members = new LinkedHashMap<>();
    plan.members().forEach((name, m) -> {
      PublishedDataset from = PublishedDataset.open(spark, store.dataset(m.step(), m.dataset()));
      Manifest manifest = from.manifest();
      ObjectNode recorded = record.deepCopy();
      recorded.set("built_by", manifest.spec());
      members.put(name, new DatasetContents(manifest.kind(), from.rows(), null, recorded, manifest.tokenizer()));
    });
    VersionRetention retention = new VersionRetention(spec.keepVersions(), VersionRetention.from(conf).grace());
    new DatasetPublisher(spark, PublishHook.NONE, retention, Clock.systemUTC()).publishSet(spec.output(), members);
    return currentVersion(conf, spec, plan);
  }

  /** The name of the version readers of the family get now. */
  static String currentVersion(Configuration conf, FamilySpec spec, FamilySteps plan) {
    return new DatasetResolver(conf).resolve(member(spec, plan.members().keySet().iterator().next())).version();
  }

  private static String member(FamilySpec spec, String name) {
    return spec.output().replaceAll("/+$", "") + "/" + name;
  }

}
