package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.EpochOrder;
import io.stagewise.trainer.data.PreferencePairs;
import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.TokenShardReader;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.FrozenReference;
import io.stagewise.trainer.train.RunStart;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainProgress;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A whole PPO run from a {@link PpoRunSpec} (TRL's {@code PPOTrainer}): the policy and the frozen reference start
 * from the SFT checkpoint, the frozen reward model scores, the value model starts from the reward model (or the
 * SFT backbone); metrics lines carry TRL's {@code objective/*}, {@code policy/*}, {@code loss/*}, {@code val/*}
 * and {@code eps}. Checkpoints load back with {@link ModelCheckpoint} as the policy LM.
 */
public final class PpoRun {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PpoRun() {
  }

  public static TrainResult run(PpoRunSpec spec) {
    return run(spec, new Configuration(), System.out);
  }

  /** Runs {@code spec} with Hadoop settings {@code conf}, printing progress lines to {@code console}. */
  public static TrainResult run(PpoRunSpec spec, Configuration conf, PrintStream console) {
    return run(spec, conf, console, Worker.local());
  }

  /**
   * Runs {@code spec} as {@code worker}, one of a data-parallel group whose members all run the same spec; every
   * worker returns the same result.
   */
  public static TrainResult run(PpoRunSpec spec, Configuration conf, PrintStream console, Worker worker) {
    TrainConfig train = spec.train();
    ModelCheckpoint sft = checkpoint(spec.sftCheckpoint(), Head.LM, "sftCheckpoint", conf);
    ModelCheckpoint reward = checkpoint(spec.rewardCheckpoint(), Head.SCALAR, "rewardCheckpoint", conf);
    int vocab = sft.config().vocabSize();
    if (reward.config().vocabSize() != vocab) {
      throw new IllegalArgumentException("rewardCheckpoint: " + reward.directory() + " has a vocabulary of "
          + reward.config().vocabSize() + " tokens, the SFT model " + vocab);
    }
    int[][] prompts = readPrompts(spec, vocab, conf);
    RunStart.Resumption resumption = RunStart.prepare(spec.output(), train, spec.resume(), worker, conf);
    ObjectNode runConfig = JSON.valueToTree(train);
    runConfig.set("ppo", JSON.valueToTree(spec.ppo()));
    try (NDManager manager = RunStart.manager(worker)) {
      GptModel policy = train.lora() == null ? sft.load(manager)
          : LoraBase.adapt(sft.config(), train.lora(), sft, manager, train.seed());
      GptModel value = valueModel(spec.ppo(), sft, reward, train.seed(), manager);
      runConfig.set("value_model", JSON.valueToTree(value.config()));
      try (PpoLoop loop = new PpoLoop(policy, FrozenReference.of(policy, () -> sft.load(manager)), value, new RewardModelScore(reward.load(manager)),
          spec.ppo(), train, runConfig, manager, worker)) {
        return train(loop, truncate(prompts, loop.promptCap()), spec, resumption, conf, console, worker, policy);
      }
    }
  }

  private static TrainResult train(PpoLoop loop, int[][] prompts, PpoRunSpec spec, RunStart.Resumption resumption,
      Configuration conf, PrintStream console, Worker worker, GptModel policy) {
    TrainConfig train = spec.train();
    CheckpointStore checkpoints = resumption.store();
    TrainProgress start = resumption.latest().map(c -> loop.restore(checkpoints, c)).orElse(TrainProgress.START);
    if (resumption.group().worldSize() > 1) {
      resumption.group().broadcastParameters(loop.optimizer().parameters());
    }
    EpochOrder order = new EpochOrder(prompts.length, train.batchSize(), train.seed(), start.data(), "prompts");
    Path metricsFile = new Path(new Path(spec.output()), RunStart.METRICS_FILE);
    TrainProgress end;
    if (worker.lead()) {
      try (MetricsLog metrics = MetricsLog.resume(metricsFile, conf, start.step())) {
        end = loop.run(prompts, order, start, metrics, new ProgressLine(console, train.steps()), checkpoints);
      }
    } else {
      end = loop.run(prompts, order, start, null, null, checkpoints);
    }
    return new TrainResult(end, policy.config(), policy.parameterCount(),
        checkpoints.latest().orElseThrow().toUri(), metricsFile.toUri());
  }

  private static ModelCheckpoint checkpoint(java.net.URI location, Head head, String field, Configuration conf) {
    ModelCheckpoint checkpoint = ModelCheckpoint.at(location, conf);
    if (checkpoint.config().head() != head) {
      throw new IllegalArgumentException(field + ": " + checkpoint.directory() + " holds a head="
          + checkpoint.config().head().specName() + " model; PPO needs head=" + head.specName() + " here");
    }
    return checkpoint;
  }

  /**
   * The reward model itself, or the SFT backbone under a fresh scalar head (seeded by the run seed); with
   * {@code ppo.valueLora} that model is the frozen base under the value model's adapters and trained head.
   */
  private static GptModel valueModel(PpoConfig ppo, ModelCheckpoint sft, ModelCheckpoint reward, long seed,
      NDManager manager) {
    if (ppo.valueLora() == null) {
      return valueModel(ppo.valueInit(), sft, reward, seed, manager);
    }
    ModelCheckpoint base = ppo.valueInit() == ValueInit.REWARD ? reward : sft;
    return LoraBase.adapt(base.config().withHead(Head.SCALAR), ppo.valueLora(), base, manager, seed);
  }

  private static GptModel valueModel(ValueInit init, ModelCheckpoint sft, ModelCheckpoint reward, long seed,
      NDManager manager) {
    if (init == ValueInit.REWARD) {
      return reward.load(manager);
    }
    GptModel value = GptModel.create(sft.config().withHead(Head.SCALAR), manager, seed);
    try (NDManager scratch = manager.newSubManager()) {
      List<String> untouched = value.copyParametersFrom(sft.load(scratch));
      if (!untouched.stream().allMatch(name -> name.startsWith("value_head."))) {
        throw new IllegalArgumentException(sft.directory() + ": the checkpoint lacks backbone parameters "
            + untouched);
      }
    }
    return value;
  }

  private static int[][] readPrompts(PpoRunSpec spec, int vocab, Configuration conf) {
    ResolvedDataset data = new DatasetResolver(conf).resolve(spec.promptData());
    ShardManifest.read(data, conf).requireVocabulary(data, vocab);
    PreferencePairs pairs = new TokenShardReader(conf).readPreferences(data.uri());
    pairs.checkVocabulary(vocab, data.describe());
    int[][] prompts = pairs.promptIds();
    for (int i = 0; i < prompts.length; i++) {
      if (prompts[i].length == 0) {
        throw new IllegalArgumentException(spec.promptData() + ": row " + i + ": empty prompt_ids");
      }
    }
    return prompts;
  }

  /** Prompts longer than {@code cap} keep their last {@code cap} tokens (the turn the response answers). */
  private static int[][] truncate(int[][] prompts, int cap) {
    int[][] out = new int[prompts.length][];
    for (int i = 0; i < prompts.length; i++) {
      int[] p = prompts[i];
      out[i] = p.length <= cap ? p : Arrays.copyOfRange(p, p.length - cap, p.length);
    }
    return out;
  }
}
