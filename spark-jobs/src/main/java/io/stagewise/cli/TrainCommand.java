package io.stagewise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.InputPaths;
import io.stagewise.data.spec.SpecFields;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.distributed.BarrierTraining;
import io.stagewise.distributed.DataParallelRun;
import io.stagewise.distributed.FaultInjection;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.net.URI;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stagewise train}: one training run, in this JVM or data-parallel over a Spark barrier stage. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a GPT on token shards (from `data tokenize`) with the lm or sft objective, locally or, with"
          + " --workers W, as W data-parallel Spark tasks (one GPU each with"
          + " --conf spark.task.resource.gpu.amount=1).",
      "From a run spec (YAML: train_data, eval_data, output, resume, init, model: {preset, norm, position,"
          + " attention, kv_heads, mlp, experts, top_k, dropout, ...}, train: {steps, batch_size, lr, objective,"
          + " lora: {r, alpha, dropout, targets}, ...}; example conf/train/sft-tiny.yaml) and/or flags; flags override"
          + " the spec."
    })
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--spec", paramLabel = "RUN.yaml", description = "The run spec.")
  String specPath;

  @Option(names = "--train-data", description = "Training token shards (overrides train_data).")
  String trainData;

  @Option(names = "--eval-data", description = "Held-out token shards (overrides eval_data).")
  String evalData;

  @Option(names = "--out", description = "Run directory: metrics.jsonl and checkpoints/ (overrides output).")
  String out;

  @Option(names = "--preset",
      description = "Model preset: tiny, small-cpu, ceg-compact, ceg-full, ref-compact, ref-full.")
  String preset;

  @Option(names = "--objective", description = "lm or sft (overrides train.objective).")
  String objective;

  @Option(names = "--steps", description = "Optimizer steps (overrides train.steps).")
  Integer steps;

  @Option(names = "--init", paramLabel = "CHECKPOINT|hf:DIR",
      description = "Start from these weights instead of the seeded initialisation (overrides init): a Stagewise"
          + " checkpoint, or hf:DIR for a Hugging Face directory (GPT-2 or Llama layout, e.g. from `export`)."
          + " It must hold the run's model: every differing field is named.")
  String init;

  @Option(names = "--resume", description = "Continue from the latest checkpoint under the output.")
  boolean resume;

  @Option(names = "--workers", defaultValue = "1",
      description = "Data-parallel workers: 1 (default) trains in this JVM; W > 1 runs one Spark barrier stage"
          + " of W tasks. batch_size stays the global batch; micro_batches must be a multiple of W (default W).")
  int workers;

  @Option(names = "--inject-failure", paramLabel = "RANK@STEP",
      description = "Fail worker RANK after update STEP, once (a marker under the output remembers it), to"
          + " watch Spark retry the stage and the run resume from its last checkpoint.")
  String injectFailure;

  @Mixin SparkOptions sparkOptions;

  @Override
  public Integer call() {
    TrainRunSpec spec = spec();
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
    }
    if (injectFailure != null && workers == 1) {
      throw new IllegalArgumentException("--inject-failure needs --workers >= 2 (it exercises Spark's stage retry)");
    }
    TrainResult result = workers > 1 ? dataParallel(spec) : TrainRun.run(spec);
    System.out.printf("trained %s (%,d parameters) for %,d steps; metrics %s; checkpoint %s%n",
        result.model().layers() + "-layer " + result.model().width() + "-wide model", result.parameters(), result.progress().step(), result.metrics(),
        result.checkpoint());
    return 0;
  }

  private TrainResult dataParallel(TrainRunSpec spec) {
    DataParallelRun run = DataParallelRun.of(spec, workers)
        .withFault(injectFailure == null ? null : FaultInjection.parse(injectFailure));
    SparkSession spark = sparkOptions.session("train");
    try {
      return BarrierTraining.run(spark, run);
    } finally {
      sparkOptions.release(spark);
    }
  }

  private TrainRunSpec spec() {
    ObjectNode tree = specPath == null ? new ObjectMapper().createObjectNode()
        : (ObjectNode) YamlSpecs.read(new Configuration(), specPath);
    ObjectNode train = tree.has("train") && tree.get("train").isObject()
        ? (ObjectNode) tree.get("train") : tree.putObject("train");
    ObjectNode model = tree.has("model") && tree.get("model").isObject()
        ? (ObjectNode) tree.get("model") : tree.putObject("model");
    if (objective != null) {
      train.put("objective", objective);
    }
    if (steps != null) {
      train.put("steps", steps);
      if (!train.has("warmup_steps")) {
        // The default warmup is sized for the default run length; keep it to a tenth of a shorter run.
        train.put("warmup_steps", Math.min(steps / 10, TrainConfig.defaults().warmupSteps()));
      }
    }
    if (preset != null) {
      model.put("preset", preset);
    }
    if (workers > 1 && !train.has("micro_batches")) {
      // Unless the spec says otherwise, each worker runs one micro-batch of the global batch.
      train.put("micro_batches", workers);
    }
    SpecCheck check = new SpecCheck("run spec" + (specPath == null ? "" : " " + specPath));
    SpecFields fields = new SpecFields(check);
    fields.onlyKeys(tree, "", TrainSpecs.RUN_KEYS);
    String trainUri = trainData != null ? trainData : fields.text(tree, "", "train_data", null);
    String evalUri = evalData != null ? evalData : optional(tree.get("eval_data"));
    String outUri = out != null ? out : fields.text(tree, "", "output", null);
    String initField = init != null ? "--init" : "init";
    String initLocation = init != null ? init : optional(tree.get("init"));
    boolean resumeRun = resume || tree.path("resume").asBoolean(false);
    TrainConfig trainConfig = TrainSpecs.train(train, check);
    ModelSpec modelSpec = TrainSpecs.model(model, "tiny", check);
    new InputPaths().add(trainData != null ? "--train-data" : "train_data", trainUri)
        .add(evalData != null ? "--eval-data" : "eval_data", evalUri)
        .add(initField, initLocation == null ? null : InitLocation.directory(initLocation))
        .check(new Configuration(), check);
    check.validate();
    TrainRunSpec spec = new TrainRunSpec(uri(trainUri), evalUri == null ? null : uri(evalUri), uri(outUri),
        modelSpec, trainConfig, resumeRun, initLocation == null ? null : InitLocation.uri(initLocation));
    try {
      TrainRun.checkInit(spec, new Configuration());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("run spec" + (specPath == null ? "" : " " + specPath) + ": " + initField
          + ": " + e.getMessage().replaceFirst("^init: ", ""), e);
    }
    return spec;
  }

  private static String optional(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  /** A path or URI as the trainer's Hadoop file systems want it; relative paths are made absolute. */
  static URI uri(String pathOrUri) {
    Path path = new Path(pathOrUri);
    return path.toUri().getScheme() != null ? path.toUri()
        : new Path(new java.io.File(pathOrUri).getAbsoluteFile().toURI()).toUri();
  }
}
