package io.stagewise.trainer.train.preference;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.data.PreferencePairs;
import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.ShuffledPreferenceBatches;
import io.stagewise.trainer.data.TokenShardReader;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.RunStart;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainProgress;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.dpo.DpoRun;
import io.stagewise.trainer.train.reward.RewardRun;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What {@link RewardRun} and {@link DpoRun} share: reading and checking the preference shards, and driving a
 * {@link PreferenceLoop} that leaves {@code metrics.jsonl} and {@code checkpoints/} under the output (how a run
 * starts is {@link RunStart}'s).
 */
public final class PreferenceRun {

  private PreferenceRun() {
  }

  /** The training and held-out pairs (the latter null when there is none), checked against the vocabulary. */
  public record Data(ShardManifest manifest, PreferencePairs train, PreferencePairs eval) {
  }

  /** Reads the shards; held-out pairs only when {@code withEval} (rank 0 alone evaluates). */
  public static Data read(URI trainData, URI evalData, boolean withEval, int modelVocab, Configuration conf) {
    DatasetResolver datasets = new DatasetResolver(conf);
    ResolvedDataset trainVersion = datasets.resolve(trainData);
    ShardManifest manifest = ShardManifest.read(trainVersion, conf);
    manifest.requireVocabulary(trainVersion, modelVocab);
    TokenShardReader reader = new TokenShardReader(conf);
    PreferencePairs train = reader.readPreferences(trainVersion.uri());
    train.checkVocabulary(modelVocab, trainVersion.describe());
    PreferencePairs eval = null;
    if (evalData != null && withEval) {
      ResolvedDataset evalVersion = datasets.resolve(evalData);
      ShardManifest.read(evalVersion, conf).requireVocabulary(evalVersion, modelVocab);
      eval = reader.readPreferences(evalVersion.uri());
      eval.checkVocabulary(modelVocab, evalVersion.describe());
    }
    return new Data(manifest, train, eval);
  }


  /** Trains {@code model} (resuming when there is a checkpoint) and reports the result, the same on every worker. */
  public static TrainResult train(GptModel model, PreferenceObjective objective, TrainConfig train, JsonNode runConfig,
      Data data, URI output, RunStart.Resumption resumption, Configuration conf, PrintStream console, Worker worker,
      NDManager manager) {
    int width = objective.width(model.config().contextLength());
    int padId = data.manifest().padId();
    CheckpointStore checkpoints = resumption.store();
    Path metricsFile = new Path(new Path(output), RunStart.METRICS_FILE);
    try (PreferenceLoop loop = new PreferenceLoop(model, objective, train, runConfig, manager, worker)) {
      TrainProgress start = resumption.latest().map(c -> loop.restore(checkpoints, c))
          .orElse(TrainProgress.START);
      if (resumption.group().worldSize() > 1) {
        resumption.group().broadcastParameters(loop.optimizer().parameters());
      }
      ShuffledPreferenceBatches stream = new ShuffledPreferenceBatches(data.train(), train.batchSize(), width,
          padId, train.seed(), start.data());
      List<PreferenceBatch> eval = data.eval() == null ? List.of()
          : PreferenceBatch.inOrder(data.eval(), train.microBatchSize(), train.evalBatches(), width, padId);
      TrainProgress end;
      if (worker.lead()) {
        try (MetricsLog metrics = MetricsLog.resume(metricsFile, conf, start.step())) {
          end = loop.run(stream, eval, start, metrics, new ProgressLine(console, train.steps()),
              checkpoints);
        }
      } else {
        end = loop.run(stream, eval, start, null, null, checkpoints);
      }
      return new TrainResult(end, model.config(), model.parameterCount(),
          checkpoints.latest().orElseThrow().toUri(), metricsFile.toUri());
    }
  }

  /** Collects a spec's missing train config and a mismatched objective. */
  public static void requireTrain(List<String> errors, TrainConfig train, ObjectiveKind expected) {
    if (train == null) {
      errors.add("train: must be set");
    } else if (train.objective() != expected) {
      errors.add("train.objective: must be " + expected.specName() + " for this run, got "
          + train.objective().specName());
    }
  }
}
