package io.stagewise.trainer.train.reward;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.RunStart;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.preference.PreferenceRun;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * A whole reward-model run from a {@link RewardRunSpec} (TRL's {@code RewardTrainer}): a GPT with a scalar head,
 * trained with the Bradley–Terry loss, from scratch or from an LM checkpoint's backbone, logging held-out loss
 * and pairwise accuracy ({@code rewards/accuracies}) and leaving {@code metrics.jsonl} and {@code checkpoints/}
 * under the output. The checkpoints load back with {@link ModelCheckpoint} as a {@code head=scalar} model.
 */
public final class RewardRun {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The parameters a scalar-head model has and an LM lacks. */
  private static final Set<String> HEAD_PARAMETERS = Set.of("value_head.weight", "value_head.bias");

  private RewardRun() {
  }

  public static TrainResult run(RewardRunSpec spec) {
    return run(spec, new Configuration(), System.out);
  }

  /** Runs {@code spec} with Hadoop settings {@code conf}, printing progress lines to {@code console}. */
  public static TrainResult run(RewardRunSpec spec, Configuration conf, PrintStream console) {
    return run(spec, conf, console, Worker.local());
  }

  /**
   * Runs {@code spec} as {@code worker}, one of a data-parallel group whose members all run the same spec (as
   * {@link TrainRun#run(TrainRunSpec, Configuration, PrintStream, Worker)}); every worker returns the same result.
   */
  public static TrainResult run(RewardRunSpec spec, Configuration conf, PrintStream console, Worker worker) {
    TrainConfig train = spec.train();
    ModelCheckpoint init = spec.initCheckpoint() == null ? null : ModelCheckpoint.at(spec.initCheckpoint(), conf);
    int vocab = init != null ? init.config().vocabSize()
        : ShardManifest.read(new DatasetResolver(conf).resolve(spec.trainData()), conf).vocabSize();
    ModelConfig config = (init != null ? init.config() : spec.model().resolve(vocab)).withHead(Head.SCALAR);
    PreferenceRun.Data data = PreferenceRun.read(spec.trainData(), spec.evalData(), worker.lead(), vocab, conf);
    RunStart.Resumption resumption = RunStart.prepare(spec.output(), train, spec.resume(), worker, conf);
    JsonNode runConfig = JSON.valueToTree(train);
    try (NDManager manager = RunStart.manager(worker)) {
      GptModel model;
      if (train.lora() != null) {
        // The backbone is the frozen base; the adapters and the fresh scalar head train.
        model = LoraBase.adapt(config, train.lora(), init, manager, train.seed());
      } else {
        model = GptModel.create(config, manager, train.seed());
        if (init != null) {
          copyBackbone(init, model, manager);
        }
      }
      return PreferenceRun.train(model, new RewardObjective(), train, runConfig, data, spec.output(),
          resumption, conf, console, worker, manager);
    }
  }

  /** Copies every parameter but the scalar head from the LM checkpoint; the head keeps its fresh init. */
  private static void copyBackbone(ModelCheckpoint init, GptModel model, NDManager manager) {
    try (NDManager scratch = manager.newSubManager()) {
      List<String> untouched = model.copyParametersFrom(init.load(scratch));
      List<String> unexpected = untouched.stream().filter(n -> !HEAD_PARAMETERS.contains(n)).toList();
      if (!unexpected.isEmpty()) {
        throw new IllegalArgumentException(init.directory() + ": the checkpoint lacks backbone parameters "
            + unexpected);
      }
    }
  }
}
