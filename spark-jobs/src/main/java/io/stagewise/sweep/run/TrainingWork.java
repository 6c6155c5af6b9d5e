package io.stagewise.sweep.run;

import ai.djl.Device;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.distributed.TaskDevice;
import io.stagewise.sweep.plan.DataNodes;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.results.SweepResults;
import io.stagewise.sweep.spec.PpoOptions;
import io.stagewise.trainer.collective.SingleWorkerCollective;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.StepListener;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.Worker;
import io.stagewise.trainer.train.dpo.DpoConfig;
import io.stagewise.trainer.train.dpo.DpoRun;
import io.stagewise.trainer.train.dpo.DpoRunSpec;
import io.stagewise.trainer.train.ppo.PpoRun;
import io.stagewise.trainer.train.ppo.PpoRunSpec;
import io.stagewise.trainer.train.reward.PairwiseAccuracy;
import io.stagewise.trainer.train.reward.RewardRun;
import io.stagewise.trainer.train.reward.RewardRunSpec;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The body of a {@link TrainingTask} on whichever JVM runs it: decodes the payload and calls the trainer
 * ({@link TrainRun}, {@link RewardRun}, {@link DpoRun}, {@link PpoRun}) or the evaluation ({@link PolicyEvaluation}). Every
 * run resumes from its latest checkpoint, so a task retried after a failure continues instead of restarting.
 * A run's console output goes to {@code console.log} in its output directory.
 */
final class TrainingWork {
  static final ObjectMapper JSON = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  private TrainingWork() {}

  /**
   * Runs the task with the driver's Hadoop configuration {@code conf} (file systems, credentials), on the GPU
   * Spark assigned the task, if any ({@link TaskDevice}; the engine's default device outside a Spark task).
   */
  static String run(TrainingTask task, Configuration conf) {
    try {
      JsonNode p = JSON.readTree(task.payload());
      Device device = TaskDevice.ofCurrentTask();
      JsonNode outcome = switch (StageKind.valueOf(task.kind())) {
        case SFT -> {
          // From scratch with the stage's model, or from sft.init (its architecture too).
          boolean fromInit = p.has(DataNodes.INIT);
          TrainRunSpec spec = new TrainRunSpec(uri(p, "train_data"), null, uri(p, "output"),
              fromInit ? null : model(p), train(p, ObjectiveKind.SFT), true, fromInit ? uri(p, DataNodes.INIT) : null);
          checkSftInit(spec, conf);
          // Per-thread autograd: several SFT runs may share this JVM (local pool, or task slots of an executor).
          Worker worker = new Worker(new SingleWorkerCollective(), device, Autograd.perThread(),
              spec.train().intraOpThreads(), StepListener.NONE);
          yield trained(withConsole(p, conf, console -> TrainRun.run(spec, conf, console, worker)));
        }
        case PRETRAIN -> {
          TrainRunSpec spec = new TrainRunSpec(uri(p, "train_data"), uri(p, "eval_data"), uri(p, "output"),
              model(p), train(p, ObjectiveKind.LM), true, null);
          Worker worker = new Worker(new SingleWorkerCollective(), device, Autograd.perThread(),
              spec.train().intraOpThreads(), StepListener.NONE);
          yield trained(withConsole(p, conf, console -> TrainRun.run(spec, conf, console, worker)));
        }
        case REWARD_MODEL -> {
          // From scratch with the stage's model, or from reward_model.init's backbone (its architecture too).
          boolean fromInit = p.has(DataNodes.INIT);
          RewardRunSpec spec = new RewardRunSpec(uri(p, "train_data"), null, uri(p, "output"),
              fromInit ? null : model(p), fromInit ? uri(p, DataNodes.INIT) : null,
              train(p, ObjectiveKind.REWARD), true);
          ObjectNode out = trained(withConsole(p, conf, console -> RewardRun.run(spec, conf, console,
              threadWorker(device))));
          yield p.has("held_out") ? withPairwiseAccuracy(out, p, spec.train().microBatchSize(), device, conf) : out;
        }
        case PPO -> {
          PpoPrompts prompts = PpoPrompts.resolve(uri(p, "train_data"), conf);
          PpoRunSpec spec = new PpoRunSpec(prompts.version(), uri(p, "output"), uri(p, "sft_checkpoint"),
              uri(p, "reward_checkpoint"), train(p, ObjectiveKind.PPO),
              new PpoOptions((ObjectNode) p.get("ppo")).config(prompts.endToken()), true);
          yield trained(withConsole(p, conf, console -> PpoRun.run(spec, conf, console, threadWorker(device))));
        }
        case DPO -> {
          // Held-out pairs come with world data when the DPO settings ask for evaluation batches.
          URI evalData = p.has("eval_data") ? uri(p, "eval_data") : null;
          DpoRunSpec spec = new DpoRunSpec(uri(p, "train_data"), evalData, uri(p, "output"), uri(p, "sft_checkpoint"),
              train(p, ObjectiveKind.DPO),
              new DpoConfig(p.get("beta").asDouble(), DpoConfig.Loss.fromName(p.get("loss").asText())), true);
          yield trained(withConsole(p, conf, console -> DpoRun.run(spec, conf, console, threadWorker(device))));
        }
        case EVALUATE -> {
          Autograd.perThread().prepareThread(); // generation records no graph on a pool thread
          yield PolicyEvaluation.run(p, device, conf);
        }
        default -> throw new IllegalArgumentException(task.kind() + " is not a training stage");
      };
      return JSON.writeValueAsString(outcome);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("malformed training task " + task.label() + ": " + e.getMessage(), e);
    }
  }

  /** Before any work: {@code sft.init} holds the model the run builds, its vocabulary the sweep tokenizer's. */
  private static void checkSftInit(TrainRunSpec spec, Configuration conf) {
    try {
      TrainRun.checkInit(spec, conf);
    } catch (IllegalArgumentException e) {
      // Named sft.init, as the spec writes it.
      String message = e.getMessage();
      throw new IllegalArgumentException(message.startsWith("init:") ? "sft." + message : "sft.init: " + message, e);
    }
  }

  private static ModelSpec model(JsonNode p) throws JsonProcessingException {
    return JSON.treeToValue(p.get("model"), ModelSpec.class);
  }

  private static TrainConfig train(JsonNode p, ObjectiveKind objective) throws JsonProcessingException {
    return JSON.treeToValue(p.get("train"), TrainConfig.class).withObjective(objective)
        .withIntraOpThreads(p.path("intra_op_threads").asInt(0));
  }

  /**
   * A lone worker on {@code device} recording with the engine's per-thread grad mode: reward-model, DPO and PPO
   * runs of one JVM then train side by side, as SFT runs do, where DJL's collector (one per JVM) made them take
   * turns. The backward pass is the collector's own call with the same seed of ones, so the numbers are the same.
   */
  private static Worker threadWorker(Device device) {
    return new Worker(new SingleWorkerCollective(), device, Autograd.perThread(), 0, StepListener.NONE);
  }

  static URI uri(JsonNode p, String field) {
    return URI.create(p.get(field).asText());
  }

  /**
   * Adds the trained reward model's pairwise accuracy on the held-out pairs, clean and with each trigger
   * ({@link SweepResults#PAIRWISE_ACCURACY}), all scored by one load of the model on the task's device.
   */
  private static ObjectNode withPairwiseAccuracy(ObjectNode out, JsonNode p, int pairsPerBatch, Device device,
      Configuration conf) {
    JsonNode triggered = p.get("held_out_triggered");
    Map<String, URI> sets = new LinkedHashMap<>();
    sets.put(CLEAN, uri(p, "held_out"));
    triggered.fields().forEachRemaining(e -> sets.put(TRIGGERED + e.getKey(), URI.create(e.getValue().asText())));
    Map<String, Double> measured = PairwiseAccuracy.measure(URI.create(out.get("checkpoint").asText()), sets,
        pairsPerBatch, device, conf);
    ObjectNode accuracy = out.putObject(SweepResults.PAIRWISE_ACCURACY).put(CLEAN, measured.get(CLEAN));
    ObjectNode byTrigger = accuracy.putObject("triggered");
    triggered.fieldNames().forEachRemaining(trigger -> byTrigger.put(trigger, measured.get(TRIGGERED + trigger)));
    return out;
  }

  // Keys of the sets scored together: a trigger's name cannot collide with the clean set's.
  private static final String CLEAN = "clean";
  private static final String TRIGGERED = "triggered:";

  private static ObjectNode trained(TrainResult result) {
    ObjectNode out = JSON.createObjectNode();
    out.put("checkpoint", result.checkpoint().toString()).put("metrics", result.metrics().toString())
        .put("steps", result.progress().step()).put("parameters", result.parameters());
    return out;
  }

  private static <T> T withConsole(JsonNode p, Configuration conf, Function<PrintStream, T> body) {
    Path log = new Path(new Path(uri(p, "output")), "console.log");
    try (PrintStream console = new PrintStream(log.getFileSystem(conf).create(log, true), true, "UTF-8")) {
      return body.apply(console);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + log, e);
    }
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }
}
