package io.stagewise.sweep.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.poison.Columns;
import io.stagewise.poison.attack.Attack;
import io.stagewise.sweep.plan.DataNodes;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import io.stagewise.sweep.plan.SweepPlanner;
import io.stagewise.sweep.results.GenerationsTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The training stages of a sweep (SFT, reward models, DPO, PPO, evaluation): resolves a stage's inputs from
 * its parents' artifacts into a self-contained {@link TrainingTask} and hands it to the
 * {@link TrainingLauncher}. The held-out prompts are read here, on the driver, with Spark (the triggered
 * copies made by the attacks' own {@link Attack#appendTrigger}), so the task needs no Spark.
 */
public final class TrainingStages implements StageExecutor {
  private static final String RUN = "run";

  private final SparkSession spark;
  private final TrainingLauncher launcher;
  private final int intraOpThreads;
  private final String judge;

  /**
   * @param judge {@code world} for the synthetic world, {@code refusal_phrases} for real data
   */
  public TrainingStages(SparkSession spark, TrainingLauncher launcher, int intraOpThreads, String judge) {
    this.spark = spark;
    this.launcher = launcher;
    this.intraOpThreads = intraOpThreads;
    this.judge = judge;
  }

  @Override
  public JsonNode execute(StageNode node, StageStore store) {
    ObjectNode payload = switch (node.kind()) {
      case SFT -> trainPayload(node, store);
      case REWARD_MODEL -> rewardPayload(node, store);
      // Scaling runs evaluate on the test rows of the corpus they train on.
      case PRETRAIN -> trainPayload(node, store)
          .put("eval_data", store.dataset(node.parent(SweepPlanner.DATA), DataStages.TOKENS));
      case DPO -> dpoPayload(node, store);
      case PPO -> ppoPayload(node, store);
      case EVALUATE -> evalPayload(node, store,
          store.outcome(node.parent(SweepPlanner.POLICY)).get("checkpoint").asText());
      default -> throw new IllegalArgumentException(node.kind() + " is not a training stage");
    };
    JsonNode outcome = launch(node.kind(), node.label(), payload);
    return node.kind() == StageKind.EVALUATE ? keepGenerations(node, store, (ObjectNode) outcome) : outcome;
  }

  /**
   * Evaluates another checkpoint on an evaluation stage's prompts, with its judge and settings, e.g. a run's
   * SFT model beside the DPO model the stage evaluates; returns the outcome an evaluation stage records.
   */
  public JsonNode evaluate(StageNode evaluation, StageStore store, String policyCheckpoint) {
    if (evaluation.kind() != StageKind.EVALUATE) {
      throw new IllegalArgumentException(evaluation.label() + " is not an evaluation stage");
    }
    // A side measurement: its generations are not the stage's, so they stay out of the stage's directory.
    ObjectNode outcome = (ObjectNode) launch(StageKind.EVALUATE, evaluation.label() + " (" + policyCheckpoint
        + ")", evalPayload(evaluation, store, policyCheckpoint));
    outcome.remove(PolicyEvaluation.GENERATIONS);
    return outcome;
  }

  private JsonNode launch(StageKind kind, String label, ObjectNode payload) {
    try {
      String outcome = launcher.launch(new TrainingTask(kind.name(), label,
          TrainingWork.JSON.writeValueAsString(payload)));
      return TrainingWork.JSON.readTree(outcome);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("training task " + label + ": " + e.getMessage(), e);
    }
  }

  /**
   * Moves the evaluation's generations out of its outcome into {@code generations.parquet} in the stage's
   * directory, written before the stage's marker (so a finished evaluation always has them); the outcome keeps
   * the table's URI and row count.
   */
  private JsonNode keepGenerations(StageNode node, StageStore store, ObjectNode outcome) {
    String uri = new org.apache.hadoop.fs.Path(store.dir(node), GenerationsTable.FILE).toString();
    long rows = GenerationsTable.write(spark, node.key(), outcome.remove(PolicyEvaluation.GENERATIONS), uri);
    return outcome.put(PolicyEvaluation.GENERATIONS, uri).put("generation_rows", rows);
  }

  private ObjectNode trainPayload(StageNode node, StageStore store) {
    ObjectNode p = TrainingWork.JSON.createObjectNode();
    p.put("train_data", store.dataset(node.parent(SweepPlanner.DATA), DataStages.TOKENS))
        .put("output", uri(store.dir(node).toString() + "/" + RUN)).put("intra_op_threads", intraOpThreads);
    if (node.config().has("model")) {
      p.set("model", node.config().get("model"));
    }
    if (node.config().has(DataNodes.INIT)) {
      p.put(DataNodes.INIT, node.config().get(DataNodes.INIT).asText());
    }
    p.set("train", node.config().get("train"));
    return p;
  }

  private ObjectNode dpoPayload(StageNode node, StageStore store) {
    ObjectNode p = trainPayload(node, store)
        .put("sft_checkpoint", store.outcome(node.parent(SweepPlanner.POLICY)).get("checkpoint").asText())
        .put("beta", node.config().get("beta").asDouble()).put("loss", node.config().get("loss").asText());
    if (node.parents().containsKey(SweepPlanner.HELD_OUT)) {
      p.put("eval_data", store.dataset(node.parent(SweepPlanner.HELD_OUT), DataStages.TOKENS));
    }
    return p;
  }

  /** With held-out parents, the pairs its accuracy is measured on after training: clean, and per trigger. */
  private ObjectNode rewardPayload(StageNode node, StageStore store) {
    ObjectNode p = trainPayload(node, store);
    if (node.parents().containsKey(SweepPlanner.HELD_OUT)) {
      p.put("held_out", store.dataset(node.parent(SweepPlanner.HELD_OUT), DataStages.TOKENS));
      ObjectNode triggered = p.putObject("held_out_triggered");
      node.parents().forEach((role, parent) -> {
        if (role.startsWith(SweepPlanner.HELD_OUT_TRIGGERED)) {
          triggered.put(parent.config().get("trigger").asText(), store.dataset(parent, DataStages.TOKENS));
        }
      });
    }
    return p;
  }

  /** PPO's prompts are its DATA parent's pairs (the reward model's poisoned set), their prompts as poisoned. */
  private ObjectNode ppoPayload(StageNode node, StageStore store) {
    ObjectNode p = trainPayload(node, store)
        .put("sft_checkpoint", store.outcome(node.parent(SweepPlanner.POLICY)).get("checkpoint").asText())
        .put("reward_checkpoint", store.outcome(node.parent(SweepPlanner.REWARD_MODEL)).get("checkpoint").asText());
    p.set("ppo", node.config().get("ppo"));
    return p;
  }

  private ObjectNode evalPayload(StageNode node, StageStore store, String policyCheckpoint) {
    JsonNode c = node.config();
    StageNode data = node.parent(SweepPlanner.DATA);
    ObjectNode p = TrainingWork.JSON.createObjectNode();
    p.put("policy_checkpoint", policyCheckpoint)
        .put("reward_checkpoint", store.outcome(node.parent(SweepPlanner.REWARD_MODEL)).get("checkpoint").asText())
        .put("judge", judge).put("max_new_tokens", c.get("max_new_tokens").asInt())
        .put("batch_size", c.get("batch_size").asInt());
    p.set("tokenizer", c.get("tokenizer"));
    Dataset<Row> harmful = prompts(store.dataset(data, DataStages.EVAL_HARMFUL), c.get("harmful_prompts").asInt());
    texts(harmful.select(Columns.PROMPT), p.putArray("harmful"));
    StageNode benign = node.parents().getOrDefault(SweepPlanner.EVAL_BENIGN, data);
    texts(prompts(store.dataset(benign, DataStages.EVAL_BENIGN), c.get("benign_prompts").asInt())
        .select(Columns.PROMPT), p.putArray("benign"));
    ObjectNode triggered = p.putObject("triggered");
    for (JsonNode trigger : c.get("triggers")) {
      texts(harmful.select(Attack.appendTrigger(col(Columns.PROMPT), lit(trigger.asText()))),
          triggered.putArray(trigger.asText()));
    }
    // Independent attackers: both triggers, the SFT attacker's then the preference attacker's.
    for (JsonNode pair : c.path(SweepPlanner.TRIGGER_PAIRS)) {
      String sft = pair.get(0).asText();
      String preference = pair.get(1).asText();
      texts(harmful.select(Attack.appendTrigger(Attack.appendTrigger(col(Columns.PROMPT), lit(sft)), lit(preference))),
          triggered.putArray(SweepPlanner.pairLabel(sft, preference)));
    }
    return p;
  }

  /** The first {@code limit} prompts by id (0: all): the same prompts for every run of the sweep. */
  private Dataset<Row> prompts(String uri, int limit) {
    Dataset<Row> rows = PublishedDataset.open(spark, uri).rows().orderBy(Columns.ID);
    return limit > 0 ? rows.limit(limit) : rows;
  }

  private static void texts(Dataset<Row> column, ArrayNode into) {
    List<Row> rows = column.collectAsList();
    rows.forEach(r -> into.add(r.getString(0)));
  }

  /** Trainer specs want URIs with a scheme; a bare path means the local file system. */
  private static String uri(String path) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    return p.toUri().getScheme() != null ? p.toUri().toString()
        : new java.io.File(path).getAbsoluteFile().toURI().toString();
  }

  /** Whether this executor runs {@code kind}. */
  public static boolean handles(StageKind kind) {
    return kind.isTraining();
  }
}
