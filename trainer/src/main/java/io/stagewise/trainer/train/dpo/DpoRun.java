package io.stagewise.trainer.train.dpo;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.FrozenReference;
import io.stagewise.trainer.train.RunStart;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.preference.PreferenceRun;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.io.PrintStream;
import org.apache.hadoop.conf.Configuration;

/**
 * A whole DPO run from a {@link DpoRunSpec} (TRL's {@code DPOTrainer}): the policy starts from the SFT
 * checkpoint and a second copy of it is the frozen reference; metrics lines carry the loss and TRL's
 * {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/margins}, {@code rewards/accuracies}.
 * Checkpoints hold the policy only (the reference is the SFT checkpoint, reloaded on resume) and load back
 * with {@link ModelCheckpoint} as an LM.
 */
public final class DpoRun {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DpoRun() {
  }

  public static TrainResult run(DpoRunSpec spec) {
    return run(spec, new Configuration(), System.out);
  }

  /** Runs {@code spec} with Hadoop settings {@code conf}, printing progress lines to {@code console}. */
  public static TrainResult run(DpoRunSpec spec, Configuration conf, PrintStream console) {
    return run(spec, conf, console, Worker.local());
  }

  /**
   * Runs {@code spec} as {@code worker}, one of a data-parallel group whose members all run the same spec (as
   * {@link TrainRun#run(TrainRunSpec, Configuration, PrintStream, Worker)}); every worker returns the same result.
   */
  public static TrainResult run(DpoRunSpec spec, Configuration conf, PrintStream console, Worker worker) {
    TrainConfig train = spec.train();
    ModelCheckpoint sft = ModelCheckpoint.at(spec.sftCheckpoint(), conf);
    if (sft.config().head() != Head.LM) {
      throw new IllegalArgumentException("sftCheckpoint: " + sft.directory() + " holds a head="
          + sft.config().head().specName() + " model; DPO needs a language model");
    }
    PreferenceRun.Data data = PreferenceRun.read(spec.trainData(), spec.evalData(), worker.lead(),
        sft.config().vocabSize(), conf);
    RunStart.Resumption resumption = RunStart.prepare(spec.output(), train, spec.resume(), worker, conf);
    ObjectNode runConfig = JSON.valueToTree(train);
    runConfig.set("dpo", JSON.valueToTree(spec.dpo()));
    try (NDManager manager = RunStart.manager(worker)) {
      GptModel policy = train.lora() == null ? sft.load(manager)
          : LoraBase.adapt(sft.config(), train.lora(), sft, manager, train.seed());
      // Under LoRA the reference is the policy with its adapters off (no second copy of the SFT model).
      DpoObjective objective = new DpoObjective(FrozenReference.of(policy, () -> sft.load(manager)), spec.dpo());
      return PreferenceRun.train(policy, objective, train, runConfig, data, spec.output(), resumption, conf,
          console, worker, manager);
    }
  }
}
