package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.ceg.Checkpoint;
import io.stagewise.ceg.ScalingResults;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.sweep.ScalingSweepDriver;
import io.stagewise.sweep.plan.ScalingPlan;
import io.stagewise.sweep.plan.ScalingPlanner;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.run.LocalTrainingLauncher;
import io.stagewise.sweep.spec.ScalingSpec;
import io.stagewise.sweep.spec.SpecOverrides;
import io.stagewise.sweep.spec.SweepSpecReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CEG study of conf/sweeps/ceg-small.yaml shrunk to a minute, end to end on local Spark and real DJL
 * training: the synthetic world's text → token blocks → 2 sizes × (baseline, RoPE) × 2 seeds of LM pretraining →
 * CEG with bootstrap intervals → results and curves tables → report; then a rerun runs no stage.
 */
class ScalingSweepIT {
  private static SparkSession spark;

  @TempDir static Path out;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("scaling-sweep-it")
        .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static ScalingSpec spec() {
    ObjectNode tree = (ObjectNode) YamlSpecs.read(new Configuration(),
        Path.of("..", "conf", "sweeps", "ceg-small.yaml").toString());
    ObjectNode innovations = (ObjectNode) tree.get("innovations");
    innovations.retain(Set.of("baseline", "rope"));
    SpecOverrides.apply(tree, List.of(
        "data={world: {seed: 1, rows: 300, block_size: 33, test_fraction: 0.2}}", "model.context_length=32",
        "lm={steps: 6, batch_size: 4, lr: 0.003, warmup_steps: 1, eval_every: 2, eval_batches: 1, log_every: 1}",
        "ceg.smoothing.window=3", "ceg.resamples=50", "execution.training_slots=2"));
    return (ScalingSpec) SweepSpecReader.load(tree, "ceg-small.yaml (shrunk)");
  }

  private static ScalingSweepDriver.Summary sweep(ScalingSpec spec) {
    return ScalingSweepDriver.run(spark, spec, out.toString(), new LocalTrainingLauncher(),
        new PrintStream(System.err));
  }

  @Test
  void pretrainsAnalysesReportsAndRerunsNothing() throws Exception {
    ScalingSpec spec = spec();
    ScalingPlan plan = ScalingPlanner.plan(spec);
    assertEquals(1 + 2 * 2 * 2, plan.stages().size(), "one corpus, 2 sizes x 2 sets x 2 seeds");
    ScalingSweepDriver.Summary first = sweep(spec);
    assertEquals(plan.stages().size(), first.executed());

    ScalingResults analysis = first.analysis();
    assertEquals(List.of("rope"), analysis.innovations().stream().map(ScalingResults.Innovation::name).toList());
    for (ScalingResults.Curve curve : analysis.curves()) {
      List<Checkpoint> points = curve.smoothed().points();
      assertEquals(List.of(2L, 4L, 6L), points.stream().map(Checkpoint::step).toList(), curve.innovation());
      assertTrue(points.get(2).flops() > points.get(0).flops(), "cumulative FLOPs grow");
    }
    double tinyFlops = analysis.curvesOf("tiny").get(0).smoothed().last().flops();
    double smallFlops = analysis.curvesOf("small-cpu").get(0).smoothed().last().flops();
    assertTrue(smallFlops > tinyFlops, "the same tokens cost the larger model more");

    List<Row> results = spark.read().parquet(first.results()).orderBy("size_rank").collectAsList();
    assertEquals(2, results.size(), "one row per size x innovation");
    assertEquals(List.of("tiny", "small-cpu"), results.stream().map(r -> r.<String>getAs("size")).toList());
    for (Row row : results) {
      assertEquals(2, row.<Integer>getAs("baseline_seeds"));
      assertEquals(2, row.<Integer>getAs("innovation_seeds"));
      assertFalse(row.<String>getAs("class").isBlank());
      assertFalse(row.isNullAt(row.fieldIndex("step_gain")), "the step gain always has a value");
    }
    long evaluations = spark.read().parquet(first.curves()).count();
    assertEquals(8 * 3, evaluations, "8 runs x 3 evaluations");

    Path report = out.resolve("report");
    String index = Files.readString(report.resolve("index.html"));
    assertTrue(index.contains("Compute-equivalent gain") && index.contains("<table class=\"ceg\">"), index);
    Set<String> images = Files.list(report).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    assertTrue(images.containsAll(Set.of("ceg-loss-vs-flops-0.png", "ceg-loss-vs-flops-1.png", "ceg-flops.png")),
        images.toString());
    assertTrue(Files.readString(report.resolve("summary.md")).contains("| rope | tiny |"));

    ScalingSweepDriver.Summary rerun = sweep(spec);
    assertEquals(0, rerun.executed(), "a rerun finds every stage finished");
    assertEquals(plan.stages().size(), rerun.skipped());
    assertEquals(plan.count(StageKind.PRETRAIN), 8);
  }
}
