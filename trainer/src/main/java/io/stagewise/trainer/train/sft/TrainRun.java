package io.stagewise.trainer.train.sft;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.BatchWidth;
import io.stagewise.trainer.data.HeldOutBatches;
import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.ShuffledBatches;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.data.TokenShardReader;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.precision.Bf16Hardware;
import io.stagewise.trainer.model.precision.Precision;
import io.stagewise.trainer.train.DataParallelGroup;
import io.stagewise.trainer.train.InitialWeights;
import io.stagewise.trainer.train.RunStart;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainProgress;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.TrainingLoop;
import io.stagewise.trainer.train.Worker;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A whole run, or one data-parallel worker's share of it, from a {@link TrainRunSpec}: read the shards, build
 * the model, train (resuming if asked), and leave {@code metrics.jsonl} and {@code checkpoints/} under the
 * output URI.
 */
public final class TrainRun {

  /**
   * Training reads only the {@code train} rows of its dataset and evaluation only the {@code test} rows of
   * its own, so one dataset holding both splits (an LM corpus) can serve both without leaking.
   */
  public static final String TRAIN_SPLIT = "train";
  public static final String EVAL_SPLIT = "test";

  private TrainRun() {
  }

  public static TrainResult run(TrainRunSpec spec) {
    return run(spec, new Configuration(), System.out);
  }

  /** Runs {@code spec} with Hadoop settings {@code conf}, printing progress lines to {@code console}. */
  public static TrainResult run(TrainRunSpec spec, Configuration conf, PrintStream console) {
    return run(spec, conf, console, Worker.local());
  }

  /**
   * Runs {@code spec} as {@code worker}, one of a data-parallel group whose members all run the same spec.
   * Rank 0 picks the checkpoint to resume from and its parameters are copied to every worker, so the group
   * starts from one state even if a worker sees the output directory late; rank 0 alone reads the held-out
   * data and writes metrics and checkpoints. Every worker returns the same result.
   */
  public static TrainResult run(TrainRunSpec spec, Configuration conf, PrintStream console, Worker worker) {
    TrainConfig train = spec.train();
    DatasetResolver datasets = new DatasetResolver(conf);
    ResolvedDataset trainData = datasets.resolve(spec.trainData());
    ShardManifest manifest = ShardManifest.read(trainData, conf);
    ModelConfig modelConfig = architecture(spec, manifest.vocabSize(), conf);
    Precision precision = spec.model() == null ? Precision.FP32 : spec.model().matmulPrecision();
    // Each batch only as wide as its longest row: the same batches and loss as padding to the context, with
    // less padding computed (BatchWidth).
    BatchWidth width = BatchWidth.longestRow(modelConfig.contextLength() + 1, BatchWidth.POSITION_MULTIPLE);
    TokenShardReader reader = new TokenShardReader(conf);
    TokenSequences trainRows = readChecked(reader, trainData, TRAIN_SPLIT, manifest.vocabSize());
    TokenSequences evalRows = spec.evalData() == null || !worker.lead() ? null
        : readEval(reader, datasets.resolve(spec.evalData()), conf, manifest);

    RunStart.Resumption resumption = RunStart.prepare(spec.output(), train, spec.resume(), worker, conf);
    CheckpointStore checkpoints = resumption.store();
    Optional<Path> latest = resumption.latest();
    DataParallelGroup group = resumption.group();
    Path metricsFile = new Path(new Path(spec.output()), RunStart.METRICS_FILE);
    try (NDManager manager = RunStart.manager(worker)) {
      precision.requireSupported(manager.getDevice(), Bf16Hardware.local());
      GptModel model = GptModel.create(modelConfig, train.lora(), precision, manager, train.seed());
      // A LoRA run's checkpoints hold its adapters alone: the base comes from init on every start.
      if (spec.init() != null && (latest.isEmpty() || train.lora() != null)) {
        InitialWeights.load(spec.init(), model, manager, conf);
      }
      try (TrainingLoop loop = new TrainingLoop(model, train, manager, worker)) {
        TrainProgress start = latest.map(c -> loop.restore(checkpoints, c)).orElse(TrainProgress.START);
        if (group.worldSize() > 1) {
          group.broadcastParameters(loop.optimizer().parameters());
        }
        // Packed rows fill whole contexts, as many per batch as the rows need, a multiple of the micro-batches so
        // that every worker packs the whole batch alike and takes its slice; evaluation stays unpacked (the
        // same loss, PackedBatchTest).
        ShuffledBatches stream = new ShuffledBatches(trainRows, train.batchSize(), width, manifest.padId(),
            train.seed(), start.data(), train.packs() ? train.microBatches() : 0);
        List<TokenBatch> eval = evalRows == null ? List.of()
            : HeldOutBatches.first(evalRows, train.microBatchSize(), train.evalBatches(), width,
                manifest.padId());
        TrainProgress end;
        if (worker.lead()) {
          try (MetricsLog metrics = MetricsLog.resume(metricsFile, conf, start.step())) {
            end = loop.run(stream, eval, start, metrics, new ProgressLine(console, train.steps()),
                checkpoints);
          }
        } else {
          end = loop.run(stream, eval, start, null, null, checkpoints);
        }
        return new TrainResult(end, modelConfig, model.parameterCount(),
            checkpoints.latest().orElseThrow().toUri(), metricsFile.toUri());
      }
    }
  }


  /**
   * Checks before any work that {@code spec.init()}, when set, holds the model the run builds (its vocabulary
   * from the training data's manifest), naming every differing field.
   */
  public static void checkInit(TrainRunSpec spec, Configuration conf) {
    if (spec.init() != null) {
      ShardManifest manifest = ShardManifest.read(new DatasetResolver(conf).resolve(spec.trainData()), conf);
      InitialWeights.require(spec.init(), architecture(spec, manifest.vocabSize(), conf), conf);
    }
  }

  /**
   * The spec's model over the data's vocabulary, or without one the architecture at {@code init}, whose
   * vocabulary must then be the data's: a token id past the embedding would fail mid-run.
   */
  private static ModelConfig architecture(TrainRunSpec spec, int vocabSize, Configuration conf) {
    if (spec.model() != null) {
      return spec.model().resolve(vocabSize);
    }
    ModelConfig config = ModelCheckpoint.at(spec.init(), conf).config();
    if (config.vocabSize() != vocabSize) {
      throw new IllegalArgumentException("init: " + spec.init() + " has vocab_size " + config.vocabSize()
          + ", the training data's tokenizer " + vocabSize);
    }
    return config;
  }

  private static TokenSequences readChecked(TokenShardReader reader, ResolvedDataset data, String split,
      int vocabSize) {
    TokenSequences rows = reader.readSequences(data.uri(), split);
    rows.checkVocabulary(vocabSize, data.describe());
    return rows;
  }

  private static TokenSequences readEval(TokenShardReader reader, ResolvedDataset data, Configuration conf,
      ShardManifest trainManifest) {
    ShardManifest evalManifest = ShardManifest.read(data, conf);
    if (evalManifest.vocabSize() != trainManifest.vocabSize()) {
      throw new IllegalArgumentException(data.describe() + ": tokenizer.vocab_size " + evalManifest.vocabSize()
          + " differs from the training data's " + trainManifest.vocabSize());
    }
    return readChecked(reader, data, EVAL_SPLIT, trainManifest.vocabSize());
  }
}
